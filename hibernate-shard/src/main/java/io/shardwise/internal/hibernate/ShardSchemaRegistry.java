package io.shardwise.internal.hibernate;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

import org.hibernate.boot.registry.BootstrapServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.JdbcSettings;
import org.hibernate.cfg.MultiTenancySettings;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.service.ServiceRegistry;
import org.hibernate.service.UnknownUnwrapTypeException;

import io.shardwise.ShardwiseSettings;
import io.shardwise.internal.ShardwiseRuntime;

/**
 * A short-lived service registry whose JDBC environment is read from one shard, for running Hibernate's schema tooling
 * on that shard.
 * <p>
 * The persistence unit's own JDBC environment was read at boot from the default shard, including its current catalog
 * (on MariaDB and MySQL: its database). Schema tooling looks for existing tables in that catalog first, so on a
 * server that holds several shards, {@code update} and {@code validate} run for another shard found the default
 * shard's tables and created nothing. Here the environment comes from a connection of the shard being worked on:
 * the caller pins it ({@link ShardwiseRuntime#withPinnedShard}) for as long as the registry is used.
 */
final class ShardSchemaRegistry {
	private ShardSchemaRegistry() {
	}

	/**
	 * A registry with the unit's settings, Shardwise switched off, and connections from
	 * {@link ShardwiseRuntime#anyConnection()} (the pinned shard). Destroy it with
	 * {@link StandardServiceRegistryBuilder#destroy(ServiceRegistry)}; that does not close any shard pool.
	 */
	static StandardServiceRegistry build(ServiceRegistry unitRegistry, Map<String, Object> settings, ShardwiseRuntime runtime) {
		Map<String, Object> shardSettings = new HashMap<>( settings );
		shardSettings.remove( ShardwiseSettings.TOPOLOGY_STORE );
		shardSettings.remove( ShardwiseSettings.TOPOLOGY_FILE );
		shardSettings.remove( MultiTenancySettings.MULTI_TENANT_CONNECTION_PROVIDER );
		shardSettings.put( JdbcSettings.CONNECTION_PROVIDER, new PinnedShardConnections( runtime ) );
		return new StandardServiceRegistryBuilder( bootstrapOf( unitRegistry ) ).applySettings( shardSettings ).build();
	}

	private static BootstrapServiceRegistry bootstrapOf(ServiceRegistry registry) {
		for ( ServiceRegistry r = registry; r != null; r = r.getParentServiceRegistry() ) {
			if ( r instanceof BootstrapServiceRegistry bootstrap ) {
				return bootstrap;
			}
		}
		throw new IllegalStateException( "no bootstrap service registry above " + registry );
	}

	/** Connections of the shard pinned on the calling thread; closing the registry leaves the pools alone. */
	private static final class PinnedShardConnections implements ConnectionProvider {
		private final ShardwiseRuntime runtime;

		PinnedShardConnections(ShardwiseRuntime runtime) {
			this.runtime = runtime;
		}

		@Override
		public Connection getConnection() throws SQLException {
			return runtime.anyConnection();
		}

		@Override
		public void closeConnection(Connection connection) throws SQLException {
			connection.close();
		}

		@Override
		public boolean supportsAggressiveRelease() {
			return false;
		}

		@Override
		public boolean isUnwrappableAs(Class<?> unwrapType) {
			return unwrapType.isInstance( this );
		}

		@Override
		public <T> T unwrap(Class<T> unwrapType) {
			if ( unwrapType.isInstance( this ) ) {
				return unwrapType.cast( this );
			}
			throw new UnknownUnwrapTypeException( unwrapType );
		}
	}
}
