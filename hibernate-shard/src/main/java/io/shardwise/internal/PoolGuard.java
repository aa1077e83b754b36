package io.shardwise.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import io.shardwise.ShardSaturatedException;
import io.shardwise.ShardUnavailableException;
import io.shardwise.ShardwiseException;
import io.shardwise.topology.ShardRole;

/**
 * One shard pool with its circuit breaker, behind the shard's bulkhead. Acquiring a connection costs, on the happy
 * path, a breaker permission (a volatile read in CLOSED), a bulkhead permit (a semaphore CAS), the pool's own
 * {@code getConnection()}, the breaker's success record (one short lock on its 3-slot window) and two
 * {@code nanoTime()} calls; nothing is allocated by Shardwise. Failures are recorded with their cause, which the
 * {@link ShardUnavailableException} of later refused sessions names.
 */
public final class PoolGuard {
	static final int PERMITTED = 0;
	static final int BREAKER_REFUSED = 1;
	static final int BULKHEAD_REFUSED = 2;

	private final String shard;
	private final ShardRole role;
	private final HikariDataSource dataSource;
	private final CircuitBreaker breaker;
	private final Bulkhead bulkhead;
	private final FaultTolerance ft;
	private final AtomicBoolean checking = new AtomicBoolean();
	private volatile CircuitBreaker.State observed = CircuitBreaker.State.CLOSED;
	private volatile Throwable lastFailure;
	private volatile boolean retired;

	PoolGuard(String shard, ShardRole role, HikariDataSource dataSource, CircuitBreaker breaker, Bulkhead bulkhead,
			FaultTolerance ft) {
		this.shard = shard;
		this.role = role;
		this.dataSource = dataSource;
		this.breaker = breaker;
		this.bulkhead = bulkhead;
		this.ft = ft;
	}

	public String shard() {
		return shard;
	}

	public ShardRole role() {
		return role;
	}

	public String poolName() {
		return dataSource.getPoolName();
	}

	public HikariDataSource dataSource() {
		return dataSource;
	}

	public CircuitBreaker breaker() {
		return breaker;
	}

	/** The breaker state: CLOSED, OPEN, HALF_OPEN (or FORCED_OPEN / DISABLED when forced by an operator). */
	public CircuitBreaker.State state() {
		return breaker.getState();
	}

	/** The last acquisition or health-check failure, or {@code null}. */
	public Throwable lastFailure() {
		return lastFailure;
	}

	// ---------------------------------------------------------------- hot path

	/** Takes a breaker permission and a bulkhead permit: {@link #PERMITTED}, or why not. */
	int permit() {
		if ( !breaker.tryAcquirePermission() ) {
			observe();
			return BREAKER_REFUSED;
		}
		if ( observed != CircuitBreaker.State.CLOSED ) {
			observe(); // e.g. OPEN -> HALF_OPEN on this permission
		}
		if ( !bulkhead.tryAcquirePermission() ) {
			breaker.releasePermission();
			return BULKHEAD_REFUSED;
		}
		return PERMITTED;
	}

	/** Acquires a connection after {@link #permit()} said yes; records the outcome with the breaker. */
	Connection acquirePermitted() throws SQLException {
		long start = System.nanoTime();
		try {
			Connection c = ft.acquire( dataSource, start );
			breaker.onSuccess( System.nanoTime() - start, TimeUnit.NANOSECONDS );
			if ( observed != CircuitBreaker.State.CLOSED ) {
				observe();
			}
			return c;
		}
		catch (SQLException | RuntimeException e) {
			if ( retired || dataSource.isClosed() ) {
				// the pool was replaced under us: not the shard's fault
				breaker.releasePermission();
				throw e;
			}
			Exception failure = e instanceof SQLException sql ? describe( sql ) : e;
			lastFailure = failure;
			breaker.onError( System.nanoTime() - start, TimeUnit.NANOSECONDS, failure );
			observe();
			if ( failure instanceof SQLException sql ) {
				throw sql;
			}
			throw (RuntimeException) failure;
		}
		finally {
			bulkhead.onComplete();
		}
	}

	/** Permission, then a connection; a refusal is a {@link ShardUnavailableException} or {@link ShardSaturatedException}. */
	Connection acquire() throws SQLException {
		int p = permit();
		if ( p != PERMITTED ) {
			throw refused( p );
		}
		return acquirePermitted();
	}

	// ---------------------------------------------------------------- failures

	ShardwiseException refused(int why) {
		if ( why == BULKHEAD_REFUSED ) {
			ft.metrics().routingError( "bulkhead-full" );
			int limit = bulkhead.getBulkheadConfig().getMaxConcurrentCalls();
			return new ShardSaturatedException( shard, limit, "shard '" + shard + "' " + role + ": " + limit
					+ " threads are already acquiring connections of this shard (the limit, "
					+ io.shardwise.ShardwiseSettings.BULKHEAD_MAX_CONCURRENT_ACQUISITIONS + "=" + limit
					+ "); the shard is slow or unreachable (" + poolState() + "). Retry later, or raise the limit" );
		}
		ft.metrics().routingError( "breaker-open" );
		return unavailable();
	}

	ShardUnavailableException unavailable() {
		CircuitBreaker.State state = breaker.getState();
		CircuitBreaker.Metrics m = breaker.getMetrics();
		Throwable cause = lastFailure;
		String message = "shard '" + shard + "' " + role + " (" + poolName() + ") is unavailable: circuit breaker " + state
				+ " after " + m.getNumberOfFailedCalls() + " failed of the last " + m.getNumberOfBufferedCalls()
				+ " connection attempts (opens at " + ft.config().failureThreshold() + " in a row; probes again within "
				+ ft.config().waitInOpen().toMillis() + " ms or at the next passing health check); last cause: "
				+ ( cause == null ? "none recorded" : cause.getMessage() )
				+ ". Sessions of its tenants fail fast until the shard answers again";
		return new ShardUnavailableException( shard, role, state.name(), message, cause );
	}

	private SQLException describe(SQLException e) {
		String message = "shard '" + shard + "' " + role + " (" + safeUrl( dataSource.getJdbcUrl() ) + "): no connection after "
				+ dataSource.getConnectionTimeout() + " ms (" + poolState() + ", breaker " + breaker.getState() + ", "
				+ breaker.getMetrics().getNumberOfFailedCalls() + " failed of the last " + breaker.getMetrics().getNumberOfBufferedCalls()
				+ "): " + e.getMessage() + rootCause( e );
		return e instanceof SQLTransientConnectionException
				? new SQLTransientConnectionException( message, e.getSQLState(), e.getErrorCode(), e )
				: new SQLException( message, e.getSQLState(), e.getErrorCode(), e );
	}

	/** The innermost cause's message (HikariCP keeps why the last new connection failed there), or nothing. */
	private static String rootCause(Throwable e) {
		Throwable root = e;
		while ( root.getCause() != null && root.getCause() != root ) {
			root = root.getCause();
		}
		return root == e ? "" : " (cause: " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
	}

	private static String safeUrl(String url) {
		return url == null ? "?" : io.shardwise.topology.Endpoint.redact( url );
	}

	String poolState() {
		HikariPoolMXBean mx = dataSource.getHikariPoolMXBean();
		return mx == null ? "pool closed"
				: "active=" + mx.getActiveConnections() + ", idle=" + mx.getIdleConnections()
				+ ", waiting=" + mx.getThreadsAwaitingConnection() + ", max=" + dataSource.getMaximumPoolSize();
	}

	// ---------------------------------------------------------------- health checks (off the request path)

	/** Marks the start of a health check; false if one is still running for this pool. */
	boolean startCheck() {
		return !retired && checking.compareAndSet( false, true );
	}

	void endCheck() {
		checking.set( false );
	}

	/**
	 * A passing check: an open breaker moves to half-open and the check counts as its probe, so with one half-open
	 * call (the default) the breaker closes at once; a closed breaker is left alone.
	 */
	void checkPassed(long nanos) {
		if ( retired ) {
			return;
		}
		CircuitBreaker.State state = breaker.getState();
		if ( state == CircuitBreaker.State.OPEN ) {
			breaker.transitionToHalfOpenState();
			observe();
			state = CircuitBreaker.State.HALF_OPEN;
		}
		if ( state == CircuitBreaker.State.HALF_OPEN && breaker.tryAcquirePermission() ) {
			breaker.onSuccess( nanos, TimeUnit.NANOSECONDS );
		}
		observe();
	}

	/** A failing check counts as a failure; while open it restarts the open wait, so no request probes a dead pool. */
	void checkFailed(long nanos, Throwable failure) {
		if ( retired ) {
			return;
		}
		lastFailure = failure;
		CircuitBreaker.State state = breaker.getState();
		if ( state == CircuitBreaker.State.OPEN ) {
			breaker.transitionToOpenState();
		}
		else if ( ( state == CircuitBreaker.State.CLOSED || state == CircuitBreaker.State.HALF_OPEN ) && breaker.tryAcquirePermission() ) {
			breaker.onError( nanos, TimeUnit.NANOSECONDS, failure );
		}
		observe();
	}

	// ---------------------------------------------------------------- lifecycle

	/** Reports a state change not yet reported (transitions happen inside Resilience4j; we compare states). */
	void observe() {
		CircuitBreaker.State now = breaker.getState();
		CircuitBreaker.State before = observed;
		if ( now != before && !retired ) {
			synchronized ( this ) {
				before = observed;
				if ( now == before ) {
					return;
				}
				observed = now;
			}
			ft.breakerChanged( this, before, now );
		}
	}

	void retire() {
		retired = true;
	}

	boolean retired() {
		return retired;
	}
}
