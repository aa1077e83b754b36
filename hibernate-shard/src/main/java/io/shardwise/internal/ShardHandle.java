package io.shardwise.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

import io.shardwise.ShardOfflineException;
import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardRole;
import io.shardwise.topology.ShardStatus;

/**
 * The live pools of one shard. The current {@link Pools} sit behind one volatile field; a topology change swaps it,
 * so routing reads a consistent shard state without locks.
 */
public final class ShardHandle {
	private final String name;
	private final PoolFactory factory;
	private final ShardMetricsTracker metrics;
	private final PoolRetirement retirement;
	private volatile Pools pools;

	ShardHandle(Shard shard, PoolFactory factory, ShardMetricsTracker metrics, PoolRetirement retirement) {
		this.name = shard.name();
		this.factory = factory;
		this.metrics = metrics;
		this.retirement = retirement;
		this.pools = open( shard );
	}

	public String name() {
		return name;
	}

	public Shard shard() {
		return pools.shard;
	}

	/** A connection of the primary; read-only when the shard or the placement does not accept writes. */
	Connection writeConnection(boolean writable) throws SQLException {
		Pools p = pools;
		ShardStatus status = p.shard.status();
		if ( !status.serves() ) {
			throw offline( p.shard, ShardRole.WRITE );
		}
		Connection c = acquire( p.write, p.shard, ShardRole.WRITE );
		p.writeCounter.increment();
		if ( !writable || !status.writable() ) {
			c.setReadOnly( true );
		}
		return c;
	}

	/** A read-only connection of a replica, or of the primary when the shard has no replica. */
	Connection readConnection() throws SQLException {
		Pools p = pools;
		if ( !p.shard.status().serves() ) {
			throw offline( p.shard, ShardRole.READ );
		}
		Connection c;
		if ( p.reads.length == 0 ) {
			c = acquire( p.write, p.shard, ShardRole.WRITE );
			p.writeCounter.increment();
		}
		else {
			HikariDataSource ds = p.reads.length == 1 ? p.reads[0] : p.reads[ThreadLocalRandom.current().nextInt( p.reads.length )];
			c = acquire( ds, p.shard, ShardRole.READ );
			p.readCounter.increment();
			// replica pools hand out read-only connections already (HikariConfig.readOnly)
			return c;
		}
		c.setReadOnly( true );
		return c;
	}

	/** A read-only connection of the analytics endpoint, else a replica, else the primary. */
	Connection analyticsConnection() throws SQLException {
		Pools p = pools;
		if ( p.analytics == null ) {
			return readConnection();
		}
		if ( !p.shard.status().serves() ) {
			throw offline( p.shard, ShardRole.ANALYTICS );
		}
		Connection c = acquire( p.analytics, p.shard, ShardRole.ANALYTICS );
		p.analyticsCounter.increment();
		return c;
	}

	/**
	 * A connection of the primary regardless of status, for schema tooling: pooled when the shard has pools, else
	 * (an OFFLINE shard being prepared) a direct, unpooled connection that is closed on release.
	 */
	Connection adminConnection() throws SQLException {
		Pools p = pools;
		if ( p.write != null ) {
			return acquire( p.write, p.shard, ShardRole.WRITE );
		}
		Shard shard = p.shard;
		io.shardwise.topology.Credentials credentials = shard.credentialsFor( shard.write() );
		java.util.Properties props = new java.util.Properties();
		if ( !credentials.username().isEmpty() ) {
			props.setProperty( "user", credentials.username() );
		}
		if ( !credentials.password().isEmpty() ) {
			props.setProperty( "password", credentials.password().reveal() );
		}
		try {
			return java.sql.DriverManager.getConnection( shard.write().jdbcUrl(), props );
		}
		catch (SQLException e) {
			throw new SQLException( "shard '" + shard.name() + "' (" + shard.status() + ", " + shard.write().safeUrl()
					+ "): cannot open a direct connection for schema tooling: " + e.getMessage(), e.getSQLState(), e );
		}
	}

	private static Connection acquire(HikariDataSource ds, Shard shard, ShardRole role) throws SQLException {
		try {
			return ds.getConnection();
		}
		catch (SQLException e) {
			throw describe( e, ds, shard, role );
		}
	}

	private static SQLException describe(SQLException e, HikariDataSource ds, Shard shard, ShardRole role) {
		HikariPoolMXBean mx = ds.getHikariPoolMXBean();
		String state = mx == null ? "pool closed"
				: "active=" + mx.getActiveConnections() + ", idle=" + mx.getIdleConnections()
				+ ", waiting=" + mx.getThreadsAwaitingConnection() + ", max=" + ds.getMaximumPoolSize();
		String message = "shard '" + shard.name() + "' " + role + " (" + ds.getJdbcUrl().replaceAll( "(?i)(password=)[^&;]*", "$1******" )
				+ "): no connection after " + ds.getConnectionTimeout() + " ms (" + state + "): " + e.getMessage();
		return e instanceof SQLTransientConnectionException
				? new SQLTransientConnectionException( message, e.getSQLState(), e.getErrorCode(), e )
				: new SQLException( message, e.getSQLState(), e.getErrorCode(), e );
	}

	private static ShardOfflineException offline(Shard shard, ShardRole role) {
		return new ShardOfflineException( "shard '" + shard.name() + "' is " + shard.status() + " (v" + shard.version()
				+ "): it serves no " + role + " sessions; set it ACTIVE or move its tenants to another shard" );
	}

	/**
	 * Applies a new version of the shard: a status or weight change swaps the state in place; an endpoint, credential
	 * or pool change opens new pools, switches to them, and retires the old ones once their connections are returned.
	 */
	synchronized void update(Shard shard) {
		Pools old = pools;
		if ( old.write != null && shard.status().serves() && shard.sameConnectionsAs( old.shard ) ) {
			pools = old.withShard( shard );
		}
		else {
			pools = open( shard );
			retirement.retire( old.all() );
		}
	}

	synchronized void close() {
		retirement.retire( pools.all() );
	}

	/** Pool statistics for messages and reports. */
	public String describePools() {
		Pools p = pools;
		StringBuilder sb = new StringBuilder();
		for ( HikariDataSource ds : p.all() ) {
			HikariPoolMXBean mx = ds.getHikariPoolMXBean();
			sb.append( sb.length() == 0 ? "" : ", " ).append( ds.getPoolName() );
			if ( mx != null ) {
				sb.append( "(active=" ).append( mx.getActiveConnections() ).append( ", idle=" ).append( mx.getIdleConnections() ).append( ")" );
			}
		}
		return sb.toString();
	}

	List<HikariDataSource> dataSources() {
		return pools.all();
	}

	private Pools open(Shard shard) {
		if ( !shard.status().serves() ) {
			// an OFFLINE shard keeps no pools: nothing may connect to it
			return new Pools( shard, null, new HikariDataSource[0], null,
					ShardMetricsTracker.Counter.NOOP, ShardMetricsTracker.Counter.NOOP, ShardMetricsTracker.Counter.NOOP );
		}
		HikariDataSource write = factory.create( shard, ShardRole.WRITE, 0, shard.write() );
		HikariDataSource[] reads = new HikariDataSource[shard.reads().size()];
		for ( int i = 0; i < reads.length; i++ ) {
			reads[i] = factory.create( shard, ShardRole.READ, i, shard.reads().get( i ) );
		}
		HikariDataSource analytics = shard.analytics() == null ? null : factory.create( shard, ShardRole.ANALYTICS, 0, shard.analytics() );
		return new Pools( shard, write, reads, analytics,
				metrics.routedConnections( shard.name(), ShardRole.WRITE ),
				metrics.routedConnections( shard.name(), ShardRole.READ ),
				metrics.routedConnections( shard.name(), ShardRole.ANALYTICS ) );
	}

	private record Pools(Shard shard, HikariDataSource write, HikariDataSource[] reads, HikariDataSource analytics,
			ShardMetricsTracker.Counter writeCounter, ShardMetricsTracker.Counter readCounter,
			ShardMetricsTracker.Counter analyticsCounter) {

		Pools withShard(Shard s) {
			return new Pools( s, write, reads, analytics, writeCounter, readCounter, analyticsCounter );
		}

		List<HikariDataSource> all() {
			List<HikariDataSource> all = new ArrayList<>( reads.length + 2 );
			if ( write != null ) {
				all.add( write );
			}
			all.addAll( List.of( reads ) );
			if ( analytics != null ) {
				all.add( analytics );
			}
			return all;
		}
	}
}
