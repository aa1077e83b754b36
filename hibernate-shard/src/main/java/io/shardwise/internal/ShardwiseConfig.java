package io.shardwise.internal;

import java.time.Duration;
import java.util.Map;

import io.shardwise.ShardwiseSettings;
import io.shardwise.TenantIds;
import io.shardwise.topology.PoolSettings;
import io.shardwise.topology.TenantTier;

/**
 * The routing settings of one persistence unit, read and validated once at boot.
 */
public record ShardwiseConfig(
		Duration cacheTtl,
		String defaultTenant,
		boolean autoProvision,
		TenantTier defaultTier,
		String placementStrategy,
		int virtualNodes,
		PoolSettings poolDefaults,
		boolean schemaOnAllShards) {

	public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds( 60 );

	public static ShardwiseConfig from(Map<String, ?> values) {
		Settings s = new Settings( values );
		Duration ttl = s.duration( ShardwiseSettings.CACHE_TTL, DEFAULT_CACHE_TTL );
		if ( ttl.isNegative() || ttl.isZero() ) {
			throw new io.shardwise.ShardwiseConfigurationException( "property '" + ShardwiseSettings.CACHE_TTL
					+ "' must be a positive duration, but was " + ttl );
		}
		String defaultTenant = s.string( ShardwiseSettings.DEFAULT_TENANT, null );
		if ( defaultTenant != null ) {
			try {
				TenantIds.validate( defaultTenant );
			}
			catch (RuntimeException e) {
				throw new io.shardwise.ShardwiseConfigurationException( "property '" + ShardwiseSettings.DEFAULT_TENANT
						+ "' is not a valid tenant id: " + e.getMessage(), e );
			}
		}
		TenantTier tier = s.enumValue( ShardwiseSettings.PROVISIONING_DEFAULT_TIER, TenantTier.class, TenantTier.SMALL, Enum::name );
		String strategy = s.string( ShardwiseSettings.PLACEMENT_STRATEGY, "consistent-hash" );
		int vnodes = s.integer( ShardwiseSettings.PLACEMENT_VIRTUAL_NODES, io.shardwise.internal.placement.ConsistentHashRing.DEFAULT_VIRTUAL_NODES, 1 );

		PoolSettings pool;
		try {
			PoolSettings.Builder b = PoolSettings.builder();
			Integer max = s.optionalInteger( ShardwiseSettings.POOL_MAXIMUM_SIZE, 1, PoolSettings.DEFAULTS.maximumPoolSize() );
			Integer idle = s.optionalInteger( ShardwiseSettings.POOL_MINIMUM_IDLE, 0, PoolSettings.DEFAULTS.minimumIdle() );
			b.maximumPoolSize( max ).minimumIdle( idle )
					.maxLifetime( s.optionalDuration( ShardwiseSettings.POOL_MAX_LIFETIME ) )
					.connectionTimeout( s.optionalDuration( ShardwiseSettings.POOL_CONNECTION_TIMEOUT ) )
					.idleTimeout( s.optionalDuration( ShardwiseSettings.POOL_IDLE_TIMEOUT ) );
			pool = b.build().withDefaults( PoolSettings.DEFAULTS );
		}
		catch (IllegalArgumentException e) {
			throw new io.shardwise.ShardwiseConfigurationException( "shardwise.pool.* settings are invalid: " + e.getMessage(), e );
		}
		return new ShardwiseConfig( ttl, defaultTenant, s.bool( ShardwiseSettings.AUTO_PROVISION, false ), tier, strategy,
				vnodes, pool, s.bool( ShardwiseSettings.SCHEMA_ALL_SHARDS, true ) );
	}

}
