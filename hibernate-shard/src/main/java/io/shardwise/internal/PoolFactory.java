package io.shardwise.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.topology.Credentials;
import io.shardwise.topology.Endpoint;
import io.shardwise.topology.PoolSettings;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardRole;

/**
 * Creates one HikariCP pool per shard endpoint, named {@code shardwise-<shard>-<role>[-<n>]}.
 */
public final class PoolFactory {
	private final PoolSettings defaults;
	private final ShardMetricsTracker metrics;

	public PoolFactory(PoolSettings defaults, ShardMetricsTracker metrics) {
		this.defaults = defaults;
		this.metrics = metrics;
	}

	public static String poolName(String shard, ShardRole role, int index) {
		String base = "shardwise-" + shard + "-" + role.name().toLowerCase( java.util.Locale.ROOT );
		return role == ShardRole.READ ? base + "-" + index : base;
	}

	public HikariDataSource create(Shard shard, ShardRole role, int index, Endpoint endpoint) {
		PoolSettings pool = shard.pool().withDefaults( defaults );
		Credentials credentials = shard.credentialsFor( endpoint );
		HikariConfig config = new HikariConfig();
		config.setPoolName( poolName( shard.name(), role, index ) );
		config.setJdbcUrl( endpoint.jdbcUrl() );
		if ( !credentials.username().isEmpty() ) {
			config.setUsername( credentials.username() );
		}
		if ( !credentials.password().isEmpty() ) {
			try {
				config.setPassword( credentials.password().reveal() );
			}
			catch (IllegalStateException e) {
				throw new io.shardwise.TopologyException( "shard '" + shard.name() + "' " + role + " endpoint "
						+ endpoint.safeUrl() + ": " + e.getMessage(), e );
			}
		}
		config.setMaximumPoolSize( pool.maximumPoolSize() );
		config.setMinimumIdle( pool.minimumIdle() );
		config.setMaxLifetime( pool.maxLifetime().toMillis() );
		config.setConnectionTimeout( pool.connectionTimeout().toMillis() );
		config.setIdleTimeout( pool.idleTimeout().toMillis() );
		// A shard that is down at boot must not stop the application: the pool starts empty and keeps trying.
		config.setInitializationFailTimeout( -1 );
		if ( role != ShardRole.WRITE ) {
			config.setReadOnly( true );
		}
		metrics.configurePool( shard.name(), role, config );
		return new HikariDataSource( config );
	}
}
