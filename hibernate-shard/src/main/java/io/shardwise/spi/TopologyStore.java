package io.shardwise.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;

/**
 * Where the topology (shards and tenant placements) lives. Implementations: the static file store and the JDBC
 * catalog store in core ({@code shardwise.topology.store=file|jdbc}), the Hazelcast store in
 * {@code hazelcast-topology}.
 * <p>
 * Every change is a compare-and-set on a version: a writer reads an entity, builds its next version
 * ({@code version + 1}) and asks the store to replace it only if the stored version is still the one it read.
 * Exactly one of several concurrent writers of the same version wins.
 * <p>
 * Reads are called on a routing cache miss only; the router keeps its own cache and drops or refreshes entries
 * when {@link #subscribe listeners} report changes. Implementations must be thread-safe.
 */
public interface TopologyStore extends AutoCloseable {

	/** The placement of a tenant, if it has one. */
	Optional<TenantPlacement> findPlacement(String tenantId);

	/** Every placement (for rebalancing, reports and the demo; may be large). */
	List<TenantPlacement> placements();

	/** Every shard, in name order. */
	List<Shard> shards();

	/** A shard by name. */
	default Optional<Shard> findShard(String name) {
		return shards().stream().filter( s -> s.name().equals( name ) ).findFirst();
	}

	/**
	 * The load of each shard: the sum of the {@linkplain io.shardwise.topology.TenantTier#weight() tier weights} of
	 * the tenants placed on it (whatever their placement status), by shard name. A shard without tenants may be
	 * absent (its load is 0). This default sums {@link #placements()}; stores override it with a cheaper query.
	 */
	default Map<String, Long> loadByShard() {
		Map<String, Long> load = new TreeMap<>();
		for ( TenantPlacement p : placements() ) {
			load.merge( p.shard(), (long) p.tier().weight(), Long::sum );
		}
		return load;
	}

	/**
	 * Records a new placement (version 1) unless the tenant already has one.
	 *
	 * @return the placement in force afterwards: {@code placement} if it was recorded, else the existing one
	 * @throws io.shardwise.UnknownShardException if the placement names a shard the store does not have
	 */
	TenantPlacement placeIfAbsent(TenantPlacement placement);

	/**
	 * Replaces a placement if its stored version is {@code expectedVersion}.
	 *
	 * @param next the new placement; its version must be {@code expectedVersion + 1}
	 * @return whether this call won
	 */
	boolean replacePlacement(long expectedVersion, TenantPlacement next);

	/** Removes a placement if its stored version is {@code expectedVersion}; returns whether it did. */
	boolean removePlacement(String tenantId, long expectedVersion);

	/**
	 * Adds a shard (version 1).
	 *
	 * @throws io.shardwise.TopologyException if a shard of that name exists
	 */
	void addShard(Shard shard);

	/**
	 * Replaces a shard if its stored version is {@code expectedVersion}; {@code next.version()} must be
	 * {@code expectedVersion + 1}. Returns whether this call won.
	 */
	boolean replaceShard(long expectedVersion, Shard next);

	/**
	 * Removes a shard that no placement names, if its stored version is {@code expectedVersion}.
	 *
	 * @throws io.shardwise.TopologyException if tenants are still placed on it
	 */
	boolean removeShard(String name, long expectedVersion);

	/**
	 * Makes every router using this topology drop its cached routes and re-read the shards: call it after a rebalance
	 * or any bulk change. The file, JDBC and in-memory stores report {@link TopologyChange.Invalidated} to their own
	 * listeners (this JVM); the Hazelcast store broadcasts it to every member and waits for their acknowledgements.
	 * The default throws {@link UnsupportedOperationException}.
	 */
	default void invalidateAll(String reason) {
		throw new UnsupportedOperationException( getClass().getName() + " does not implement invalidateAll: drop the "
				+ "routes of each persistence unit with Shardwise.of(emf).invalidateRoutes(null) instead" );
	}

	/**
	 * Registers a listener for changes. Which changes a listener sees is part of each store's contract: the file
	 * and JDBC stores report the changes made through them in this JVM; the Hazelcast store reports changes made on
	 * any member.
	 */
	Subscription subscribe(TopologyListener listener);

	/** Releases the store's resources. */
	@Override
	void close();

	/** A handle to stop listening. */
	interface Subscription extends AutoCloseable {
		@Override
		void close();
	}
}
