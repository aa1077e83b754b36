package io.shardwise.internal.hibernate;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.service.UnknownUnwrapTypeException;
import org.hibernate.service.spi.Stoppable;

import io.shardwise.internal.ShardwiseRuntime;

/**
 * Hibernate's view of Shardwise: every session's connection comes from the pool of its tenant's shard
 * (read-only sessions from a replica). A thin adapter over {@link ShardwiseRuntime}.
 */
public final class ShardwiseConnectionProvider implements MultiTenantConnectionProvider<Object>, Stoppable {
	private final ShardwiseRuntime runtime;

	public ShardwiseConnectionProvider(Map<String, Object> settings) {
		this( ShardwiseRuntime.start( settings ) );
	}

	public ShardwiseConnectionProvider(ShardwiseRuntime runtime) {
		this.runtime = runtime;
	}

	public ShardwiseRuntime runtime() {
		return runtime;
	}

	@Override
	public Connection getAnyConnection() throws SQLException {
		return runtime.anyConnection();
	}

	@Override
	public void releaseAnyConnection(Connection connection) throws SQLException {
		connection.close();
	}

	@Override
	public Connection getConnection(Object tenantIdentifier) throws SQLException {
		return runtime.connection( tenantIdentifier );
	}

	@Override
	public Connection getReadOnlyConnection(Object tenantIdentifier) throws SQLException {
		return runtime.readOnlyConnection( tenantIdentifier );
	}

	@Override
	public void releaseConnection(Object tenantIdentifier, Connection connection) throws SQLException {
		connection.close();
	}

	@Override
	public void releaseReadOnlyConnection(Object tenantIdentifier, Connection connection) throws SQLException {
		connection.close();
	}

	@Override
	public boolean supportsAggressiveRelease() {
		return false;
	}

	/** Shardwise marks replica and read-only connections itself (HikariCP restores the flag on return). */
	@Override
	public boolean handlesConnectionReadOnly() {
		return true;
	}

	@Override
	public boolean isUnwrappableAs(Class<?> unwrapType) {
		return unwrapType.isInstance( this ) || unwrapType.isInstance( runtime );
	}

	@Override
	public <T> T unwrap(Class<T> unwrapType) {
		if ( unwrapType.isInstance( this ) ) {
			return unwrapType.cast( this );
		}
		if ( unwrapType.isInstance( runtime ) ) {
			return unwrapType.cast( runtime );
		}
		throw new UnknownUnwrapTypeException( unwrapType );
	}

	@Override
	public void stop() {
		runtime.close();
	}
}
