package io.shardwise;

/**
 * Names of the meters Shardwise registers with Micrometer (Prometheus renders dots as underscores and adds
 * {@code _total} to counters: {@code shard.topology.cache.requests} becomes {@code shard_topology_cache_requests_total}).
 * Pool meters are HikariCP's own ({@code hikaricp.connections.*}), tagged {@code pool=shardwise-<shard>-<role>}.
 */
public final class ShardwiseMeters {
	private ShardwiseMeters() {
	}

	/** Counter: tenant-to-shard lookups made by the router. */
	public static final String CACHE_REQUESTS = "shard.topology.cache.requests";
	/** Counter: lookups answered from the local cache. */
	public static final String CACHE_HITS = "shard.topology.cache.hits";
	/** Gauge: placements held in the local cache. */
	public static final String CACHE_SIZE = "shard.topology.cache.size";
	/** Counter: connections handed out, tagged {@code shard} and {@code role}. */
	public static final String ROUTED_CONNECTIONS = "shard.routing.connections";
	/** Counter: routing failures, tagged {@code reason} (unknown-tenant, malformed-tenant, shard-offline, breaker-open, bulkhead-full, ...). */
	public static final String ROUTING_ERRORS = "shard.routing.errors";
	/**
	 * Gauge: 1 for the current circuit-breaker state of a shard pool, 0 for the others; tagged {@code shard}, {@code role},
	 * {@code pool} and {@code state} (closed, open, half_open, ...).
	 */
	public static final String BREAKER_STATE = "shard.breaker.state";
	/** Gauge: failure rate in percent of the breaker's window, -1 until the window is full; tagged shard, role, pool. */
	public static final String BREAKER_FAILURE_RATE = "shard.breaker.failure.rate";
	/** Gauge: outcomes in the breaker's window, tagged shard, role, pool and {@code kind} (failed, successful). */
	public static final String BREAKER_BUFFERED_CALLS = "shard.breaker.buffered.calls";
	/** Counter: sessions refused at once by an open breaker; tagged shard, role, pool. */
	public static final String BREAKER_NOT_PERMITTED = "shard.breaker.not.permitted";
	/** Counter: health checks of a pool, tagged shard, role, pool and {@code result} (up, down). */
	public static final String HEALTH_CHECKS = "shard.health.checks";

	/** Tag on every Shardwise meter: the persistence unit (with a suffix for a second factory of it in one JVM). */
	public static final String TAG_UNIT = "unit";
	/** Tag: shard name. */
	public static final String TAG_SHARD = "shard";
	/** Tag: shard role (write, read, analytics). */
	public static final String TAG_ROLE = "role";
	/** Tag: pool name, {@code shardwise-<shard>-<role>[-<n>]}. */
	public static final String TAG_POOL = "pool";
	/** Tag: failure reason. */
	public static final String TAG_REASON = "reason";
}
