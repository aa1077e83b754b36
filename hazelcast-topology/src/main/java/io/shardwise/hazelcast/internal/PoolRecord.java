package io.shardwise.hazelcast.internal;

/** Pool settings of a {@link ShardRecord}; null values inherit the persistence unit's defaults. */
public record PoolRecord(Integer maximumPoolSize, Integer minimumIdle, Long maxLifetimeMillis, Long connectionTimeoutMillis,
		Long idleTimeoutMillis) {
}
