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
	/** Counter: routing failures, tagged {@code reason} (unknown-tenant, malformed-tenant, shard-offline, ...). */
	public static final String ROUTING_ERRORS = "shard.routing.errors";

	/** Tag: shard name. */
	public static final String TAG_SHARD = "shard";
	/** Tag: shard role (write, read, analytics). */
	public static final String TAG_ROLE = "role";
	/** Tag: failure reason. */
	public static final String TAG_REASON = "reason";
}
