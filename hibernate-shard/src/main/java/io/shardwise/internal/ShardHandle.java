package io.shardwise.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import com.zaxxer.hikari.HikariDataSource;
import io.github.resilience4j.bulkhead.Bulkhead;

import io.shardwise.ShardOfflineException;
import io.shardwise.ShardUnavailableException;
import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardRole;
import io.shardwise.topology.ShardStatus;

/**
 * The live pools of one shard. The current {@link Pools} sit behind one volatile field; a topology change swaps it,
 * so routing reads a consistent shard state without locks. Every pool is guarded by its circuit breaker and the
 * shard's bulkhead ({@link PoolGuard}); a read-only session tries the replicas in turn and then, if allowed, the
 * primary. A connection attempt that fails because the pools were swapped under it is made once more on the new pools,
 * so an endpoint or credential change fails no session.
 */
public final class ShardHandle {
	private final String name;
	private final PoolFactory factory;
	private final ShardMetricsTracker metrics;
	private final PoolRetirement retirement;
	private final FaultTolerance ft;
	private final Bulkhead bulkhead;
	private volatile Pools pools;

	ShardHandle(Shard shard, PoolFactory factory, ShardMetricsTracker metrics, PoolRetirement retirement, FaultTolerance ft) {
		this.name = shard.name();
		this.factory = factory;
		this.metrics = metrics;
		this.retirement = retirement;
		this.ft = ft;
		this.bulkhead = ft.bulkhead( shard.name() );
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
		try {
			return writeConnection( p, writable );
		}
		catch (SQLException | RuntimeException e) {
			Pools now = pools;
			if ( now == p ) {
				throw e;
			}
			return writeConnection( now, writable );
		}
	}

	private Connection writeConnection(Pools p, boolean writable) throws SQLException {
		ShardStatus status = p.shard.status();
		if ( !status.serves() ) {
			throw offline( p.shard, ShardRole.WRITE );
		}
		Connection c = p.write.acquire();
		p.writeCounter.increment();
		if ( !writable || !status.writable() ) {
			c.setReadOnly( true );
		}
		return c;
	}

	/**
	 * A read-only connection of a replica (starting at a random one, then the others in turn), or of the primary when
	 * the shard has no replica or, if {@link FaultToleranceConfig#readFallbackToPrimary()}, none of them can serve.
	 */
	Connection readConnection() throws SQLException {
		Pools p = pools;
		try {
			return readConnection( p );
		}
		catch (SQLException | RuntimeException e) {
			Pools now = pools;
			if ( now == p ) {
				throw e;
			}
			return readConnection( now );
		}
	}

	private Connection readConnection(Pools p) throws SQLException {
		if ( !p.shard.status().serves() ) {
			throw offline( p.shard, ShardRole.READ );
		}
		Connection c;
		int n = p.reads.length;
		if ( n == 0 ) {
			c = p.write.acquire();
			p.writeCounter.increment();
		}
		else {
			int first = n == 1 ? 0 : ThreadLocalRandom.current().nextInt( n );
			PoolGuard g = p.reads[first];
			int permit = g.permit();
			c = permit == PoolGuard.PERMITTED ? tryAcquire( g ) : null;
			if ( c == null ) {
				c = readFallback( p, first, permit );
			}
			else {
				p.readCounter.increment();
				// replica pools hand out read-only connections already (HikariConfig.readOnly)
				return c;
			}
			if ( c.isReadOnly() ) {
				return c; // another replica
			}
		}
		c.setReadOnly( true );
		return c;
	}

	private static Connection tryAcquire(PoolGuard g) {
		try {
			return g.acquirePermitted();
		}
		catch (SQLException | RuntimeException e) {
			return null;
		}
	}

	/** The slow path of a read: the first replica could not serve; try the others, then the primary. */
	private Connection readFallback(Pools p, int first, int firstPermit) throws SQLException {
		int n = p.reads.length;
		List<String> tried = new ArrayList<>( n + 1 );
		tried.add( describeAttempt( p.reads[first], firstPermit ) );
		Throwable last = p.reads[first].lastFailure();
		for ( int i = 1; i < n; i++ ) {
			PoolGuard g = p.reads[( first + i ) % n];
			int permit = g.permit();
			Connection c = permit == PoolGuard.PERMITTED ? tryAcquire( g ) : null;
			if ( c != null ) {
				p.readCounter.increment();
				return c;
			}
			tried.add( describeAttempt( g, permit ) );
			last = g.lastFailure() != null ? g.lastFailure() : last;
		}
		if ( !ft.config().readFallbackToPrimary() ) {
			metrics.routingError( "replicas-unavailable" );
			throw new ShardUnavailableException( name, ShardRole.READ, p.reads[first].state().name(), "shard '" + name
					+ "' READ: no replica can serve (" + String.join( "; ", tried ) + ") and "
					+ io.shardwise.ShardwiseSettings.READ_FALLBACK_TO_PRIMARY + "=false; last cause: "
					+ ( last == null ? "none recorded" : last.getMessage() ), last );
		}
		PoolGuard primary = p.write;
		int permit = primary.permit();
		if ( permit != PoolGuard.PERMITTED ) {
			tried.add( describeAttempt( primary, permit ) );
			metrics.routingError( "replicas-and-primary-unavailable" );
			throw new ShardUnavailableException( name, ShardRole.READ, primary.state().name(), "shard '" + name
					+ "' READ: neither a replica nor the primary can serve (" + String.join( "; ", tried ) + "); last cause: "
					+ ( primary.lastFailure() != null ? primary.lastFailure().getMessage() : last == null ? "none recorded" : last.getMessage() ),
					primary.lastFailure() != null ? primary.lastFailure() : last );
		}
		Connection c = primary.acquirePermitted();
		p.writeCounter.increment();
		return c;
	}

	private static String describeAttempt(PoolGuard g, int permit) {
		return g.poolName() + ( permit == PoolGuard.BREAKER_REFUSED ? " breaker " + g.state()
				: permit == PoolGuard.BULKHEAD_REFUSED ? " bulkhead full" : " failed" );
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
		Connection c = p.analytics.acquire();
		p.analyticsCounter.increment();
		return c;
	}

	/**
	 * A connection of the primary regardless of status and breaker, for schema tooling: pooled when the shard has
	 * pools, else (an OFFLINE shard being prepared) a direct, unpooled connection that is closed on release.
	 */
	Connection adminConnection() throws SQLException {
		Pools p = pools;
		if ( p.write == null ) {
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
		try {
			return p.write.dataSource().getConnection();
		}
		catch (SQLException e) {
			throw new SQLException( "shard '" + name + "' WRITE (admin): no connection after "
					+ p.write.dataSource().getConnectionTimeout() + " ms (" + p.write.poolState() + "): " + e.getMessage(),
					e.getSQLState(), e.getErrorCode(), e );
		}
	}

	private static ShardOfflineException offline(Shard shard, ShardRole role) {
		return new ShardOfflineException( "shard '" + shard.name() + "' is " + shard.status() + " (v" + shard.version()
				+ "): it serves no " + role + " sessions; set it ACTIVE or move its tenants to another shard" );
	}

	/**
	 * Applies a new version of the shard: a status or weight change swaps the state in place; an endpoint, credential
	 * or pool change opens new pools, switches to them, and retires the old ones once their connections are returned.
	 *
	 * @return whether the pools were replaced
	 */
	synchronized boolean update(Shard shard) {
		Pools old = pools;
		if ( old.write != null && shard.status().serves() && shard.sameConnectionsAs( old.shard ) ) {
			pools = old.withShard( shard );
			return false;
		}
		// the new pools have the same names: unbind the old ones' meters before binding the new ones
		old.guards().forEach( ft::retire );
		pools = open( shard );
		retirement.retire( old.all() );
		return true;
	}

	synchronized void close() {
		retire( pools );
	}

	private void retire(Pools old) {
		old.guards().forEach( ft::retire );
		retirement.retire( old.all() );
	}

	/** The pools' guards (breakers), current ones only. */
	public List<PoolGuard> guards() {
		return pools.guards();
	}

	/** Pool statistics for messages and reports. */
	public String describePools() {
		Pools p = pools;
		StringBuilder sb = new StringBuilder();
		for ( PoolGuard g : p.guards() ) {
			sb.append( sb.length() == 0 ? "" : ", " ).append( g.poolName() ).append( "(" ).append( g.poolState() )
					.append( ", breaker " ).append( g.state() ).append( ")" );
		}
		return sb.toString();
	}

	List<HikariDataSource> dataSources() {
		return pools.all();
	}

	private Pools open(Shard shard) {
		if ( !shard.status().serves() ) {
			// an OFFLINE shard keeps no pools: nothing may connect to it
			return new Pools( shard, null, new PoolGuard[0], null,
					ShardMetricsTracker.Counter.NOOP, ShardMetricsTracker.Counter.NOOP, ShardMetricsTracker.Counter.NOOP );
		}
		PoolGuard write = ft.guard( name, ShardRole.WRITE, factory.create( shard, ShardRole.WRITE, 0, shard.write() ), bulkhead );
		PoolGuard[] reads = new PoolGuard[shard.reads().size()];
		for ( int i = 0; i < reads.length; i++ ) {
			reads[i] = ft.guard( name, ShardRole.READ, factory.create( shard, ShardRole.READ, i, shard.reads().get( i ) ), bulkhead );
		}
		PoolGuard analytics = shard.analytics() == null ? null
				: ft.guard( name, ShardRole.ANALYTICS, factory.create( shard, ShardRole.ANALYTICS, 0, shard.analytics() ), bulkhead );
		return new Pools( shard, write, reads, analytics,
				metrics.routedConnections( shard.name(), ShardRole.WRITE ),
				metrics.routedConnections( shard.name(), ShardRole.READ ),
				metrics.routedConnections( shard.name(), ShardRole.ANALYTICS ) );
	}

	private record Pools(Shard shard, PoolGuard write, PoolGuard[] reads, PoolGuard analytics,
			ShardMetricsTracker.Counter writeCounter, ShardMetricsTracker.Counter readCounter,
			ShardMetricsTracker.Counter analyticsCounter) {

		Pools withShard(Shard s) {
			return new Pools( s, write, reads, analytics, writeCounter, readCounter, analyticsCounter );
		}

		List<PoolGuard> guards() {
			List<PoolGuard> all = new ArrayList<>( reads.length + 2 );
			if ( write != null ) {
				all.add( write );
			}
			all.addAll( List.of( reads ) );
			if ( analytics != null ) {
				all.add( analytics );
			}
			return all;
		}

		List<HikariDataSource> all() {
			return guards().stream().map( PoolGuard::dataSource ).toList();
		}
	}
}
