package io.shardwise;

import java.util.List;

/**
 * A durable queue of deferred, idempotent, non-critical writes for tenants whose shard is down (design document 000's
 * fallback queue). Obtain it with {@link Shardwise#deferred()}.
 *
 * <pre>{@code
 * DeferredWrites deferred = Shardwise.of(emf).deferred();
 * deferred.registerHandler("audit-log", (em, tenant, payload) -> em.persist(new AuditLine(payload)));
 * try { ...normal write... }
 * catch (PersistenceException e) {
 *     if (Shardwise.isShardUnavailable(e)) deferred.submit("acme", "audit-log", "{\"event\":\"login\"}");
 * }
 * }</pre>
 *
 * <b>Durability.</b> {@link #submit} returns once the entry is committed to the catalog database (a table
 * {@code <prefix>deferred} next to the JDBC catalog store's tables), so a member that crashes afterwards loses nothing:
 * any member with the same handlers replays it.
 * <p>
 * <b>Replay.</b> Entries are applied in submission order per tenant: when the breaker of the tenant's primary closes,
 * every {@link ShardwiseSettings#DEFERRED_REPLAY_INTERVAL} (which picks up what crashed members left), and on
 * {@link #replayNow()}. A failing entry stops its tenant's replay (so later entries do not overtake it) until it has
 * failed {@link ShardwiseSettings#DEFERRED_MAX_ATTEMPTS} times; then it is parked with its error, visible through
 * {@link #parked()}, and no longer holds the others back. An unavailable shard is not a failure of the entry.
 * <p>
 * <b>Exactly once.</b> The handler runs in a transaction on the tenant's shard that also inserts the entry's id into
 * the shard table {@code shardwise_deferred_applied} (primary key). Only after that transaction commits is the entry
 * deleted from the catalog. A crash between the two leaves the entry in the catalog; the next replay finds its id on the
 * shard and deletes it without running the handler again. Two members replaying the same entry at once collide on the
 * primary key; the loser rolls back. So the handler's effects are committed exactly once, whichever members crash.
 * A marker is deleted during a later replay to its shard once it is older than
 * {@link ShardwiseSettings#DEFERRED_MARKER_RETENTION} and its entry is no longer in the catalog (a marker whose entry
 * is still there is kept, whatever its age).
 */
public interface DeferredWrites {

	/** Registers the handler for entries naming {@code name} (letters, digits, '.', '_', '-'; up to 128 characters). */
	void registerHandler(String name, DeferredHandler handler);

	/**
	 * Stores a deferred write durably and returns its id. The handler need not be registered on this member, but some
	 * member must register it for the entry to be applied.
	 *
	 * @throws UnknownTenantException if the tenant has no placement
	 */
	String submit(String tenantId, String handler, String payload);

	/** The pending entries of a tenant, in the order they will be applied. */
	List<DeferredEntry> pending(String tenantId);

	/** The number of pending entries of all tenants. */
	long pendingCount();

	/** The parked entries (failed too often), oldest first, with their last error. */
	List<DeferredEntry> parked();

	/** Puts a parked entry back in the queue with its attempts reset; returns whether it was parked. */
	boolean requeue(String entryId);

	/** Deletes an entry (pending or parked) without applying it; returns whether it existed. */
	boolean discard(String entryId);

	/**
	 * Replays every tenant whose primary is available now, on the calling thread, and returns the number of entries
	 * applied (entries found applied already are deleted, not counted).
	 */
	int replayNow();
}
