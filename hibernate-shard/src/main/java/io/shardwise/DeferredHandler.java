package io.shardwise;

import jakarta.persistence.EntityManager;

/**
 * Applies one kind of deferred write, registered by name with {@link DeferredWrites#registerHandler}. The entry is data
 * (the handler's name and a string payload, e.g. JSON), so it survives a restart; the code is looked up by name on the
 * member that replays it, so every member that may replay must register the same handlers.
 * <p>
 * It runs inside the tenant's transaction on the tenant's shard, which Shardwise commits together with the record that
 * the entry was applied: do the work through {@code em} (JPA or {@code em.unwrap(Session.class).doWork(...)}), do not
 * commit or roll back yourself, and do not touch other systems (they would not be part of that transaction). Throwing
 * rolls the transaction back and counts a failed attempt.
 */
@FunctionalInterface
public interface DeferredHandler {

	void apply(EntityManager em, String tenantId, String payload) throws Exception;
}
