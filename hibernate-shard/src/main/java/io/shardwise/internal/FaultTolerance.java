package io.shardwise.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.zaxxer.hikari.HikariDataSource;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shardwise.ShardEvent;
import io.shardwise.ShardEventListener;
import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.topology.ShardRole;

/**
 * Fault isolation of one persistence unit: builds the circuit breaker of each shard pool and the bulkhead of each
 * shard (Resilience4j), runs the acquisition retry loop, schedules the asynchronous health checks, and delivers
 * {@link ShardEvent}s to listeners.
 * <p>
 * Breaker: a count-based window of {@code failureThreshold} calls, that many calls at minimum and a 100% failure
 * threshold, so it opens exactly when the last N recorded acquisitions all failed; slow-call tripping is off
 * (acquisitions are bounded by the pool's connection timeout, and a timeout is recorded as a failure). No automatic
 * open-to-half-open timer thread: the first request after the open wait, or a passing health check, moves it to
 * half-open. No event consumers are registered on breakers or bulkheads, so Resilience4j publishes no per-call events;
 * transitions are detected by comparing states ({@link PoolGuard#observe()}).
 */
public final class FaultTolerance implements AutoCloseable {
	private static final Logger LOG = LoggerFactory.getLogger( FaultTolerance.class );

	private final FaultToleranceConfig config;
	private final ShardMetricsTracker metrics;
	private final CircuitBreakerConfig breakerConfig;
	private final BulkheadConfig bulkheadConfig;
	private final IntervalFunction backoff;
	private final List<ShardEventListener> listeners = new CopyOnWriteArrayList<>();
	private final ScheduledExecutorService scheduler;
	private final boolean ownsScheduler;
	private final ExecutorService checkers;
	private volatile ScheduledFuture<?> healthTask;
	private volatile boolean closed;

	public FaultTolerance(FaultToleranceConfig config, ShardMetricsTracker metrics) {
		this.config = config;
		this.metrics = metrics;
		int n = config.failureThreshold();
		this.breakerConfig = CircuitBreakerConfig.custom()
				.slidingWindow( n, n, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED )
				.failureRateThreshold( 100f )
				.slowCallRateThreshold( 100f )
				.slowCallDurationThreshold( Duration.ofDays( 1 ) )
				.waitDurationInOpenState( config.waitInOpen() )
				.permittedNumberOfCallsInHalfOpenState( config.halfOpenCalls() )
				.automaticTransitionFromOpenToHalfOpenEnabled( false )
				.writableStackTraceEnabled( false )
				.clock( config.clock() )
				.build();
		this.bulkheadConfig = BulkheadConfig.custom()
				.maxConcurrentCalls( config.bulkheadMaxConcurrent() )
				.maxWaitDuration( config.bulkheadMaxWait() )
				.fairCallHandlingStrategyEnabled( false )
				.writableStackTraceEnabled( false )
				.build();
		this.backoff = IntervalFunction.ofExponentialRandomBackoff( config.acquisitionBackoff(), 2.0, 0.5 );
		this.ownsScheduler = config.scheduler() == null;
		this.scheduler = ownsScheduler ? Executors.newSingleThreadScheduledExecutor( daemon( "shardwise-health" ) ) : config.scheduler();
		this.checkers = Executors.newCachedThreadPool( daemon( "shardwise-health-check" ) );
	}

	private static ThreadFactory daemon(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return r -> {
			Thread t = new Thread( r, prefix + "-" + count.incrementAndGet() );
			t.setDaemon( true );
			return t;
		};
	}

	public FaultToleranceConfig config() {
		return config;
	}

	ShardMetricsTracker metrics() {
		return metrics;
	}

	public ScheduledExecutorService scheduler() {
		return scheduler;
	}

	// ---------------------------------------------------------------- building guards

	Bulkhead bulkhead(String shard) {
		return Bulkhead.of( "shardwise-" + shard, bulkheadConfig );
	}

	PoolGuard guard(String shard, ShardRole role, HikariDataSource ds, Bulkhead bulkhead) {
		CircuitBreaker breaker = CircuitBreaker.of( ds.getPoolName(), breakerConfig );
		PoolGuard guard = new PoolGuard( shard, role, ds, breaker, bulkhead, this );
		metrics.bindBreaker( shard, role, ds.getPoolName(), breaker );
		return guard;
	}

	void retire(PoolGuard guard) {
		guard.retire();
		metrics.unbindPool( guard.poolName() );
	}

	// ---------------------------------------------------------------- acquisition retry

	/**
	 * {@code ds.getConnection()}, retried with exponential backoff and jitter while it fails fast with a transient
	 * error and the next attempt can still start before the pool's connection timeout (counted from {@code start})
	 * runs out. A timeout of the pool itself uses the whole budget and so is never retried.
	 */
	Connection acquire(HikariDataSource ds, long start) throws SQLException {
		for ( int attempt = 1;; attempt++ ) {
			try {
				return ds.getConnection();
			}
			catch (SQLException e) {
				if ( attempt >= config.acquisitionMaxAttempts() || !isTransient( e ) || ds.isClosed() ) {
					throw e;
				}
				long pause = backoff.apply( attempt );
				long deadline = start + TimeUnit.MILLISECONDS.toNanos( ds.getConnectionTimeout() );
				if ( System.nanoTime() + TimeUnit.MILLISECONDS.toNanos( pause ) - deadline >= 0 ) {
					throw e;
				}
				try {
					Thread.sleep( pause );
				}
				catch (InterruptedException ie) {
					Thread.currentThread().interrupt();
					throw e;
				}
			}
		}
	}

	/** Connection errors the server or network may get over by itself: worth another attempt. */
	static boolean isTransient(SQLException e) {
		if ( e instanceof SQLTransientException ) {
			return true;
		}
		String state = e.getSQLState();
		return state != null && ( state.startsWith( "08" ) || state.startsWith( "40" ) || state.startsWith( "53" )
				|| state.startsWith( "57P0" ) );
	}

	// ---------------------------------------------------------------- events

	public AutoCloseable addListener(ShardEventListener listener) {
		listeners.add( Checks.notNull( listener, "listener" ) );
		return () -> listeners.remove( listener );
	}

	void fire(ShardEvent event) {
		for ( ShardEventListener l : listeners ) {
			try {
				l.onEvent( event );
			}
			catch (RuntimeException e) {
				LOG.warn( "Shard event listener {} failed on {}", l, event, e );
			}
		}
	}

	void breakerChanged(PoolGuard guard, CircuitBreaker.State from, CircuitBreaker.State to) {
		Throwable cause = guard.lastFailure();
		if ( to == CircuitBreaker.State.OPEN ) {
			LOG.warn( "Circuit breaker of {} ({} {}) {} -> OPEN: sessions fail fast; last cause: {}", guard.poolName(),
					guard.shard(), guard.role(), from, cause == null ? "none" : cause.getMessage() );
		}
		else {
			LOG.info( "Circuit breaker of {} ({} {}) {} -> {}", guard.poolName(), guard.shard(), guard.role(), from, to );
		}
		fire( new ShardEvent.BreakerStateChanged( guard.shard(), guard.role(), guard.poolName(), from.name(), to.name(), cause ) );
	}

	// ---------------------------------------------------------------- health checks

	/** Starts checking every pool the supplier returns every {@code healthInterval} (unless it is 0). */
	void startHealthChecks(Supplier<Collection<PoolGuard>> guards) {
		long every = config.healthInterval().toMillis();
		if ( every <= 0 ) {
			return;
		}
		healthTask = scheduler.scheduleWithFixedDelay( () -> {
			try {
				for ( PoolGuard g : guards.get() ) {
					submitCheck( g );
				}
			}
			catch (RuntimeException e) {
				LOG.warn( "Health check round failed", e );
			}
		}, every, every, TimeUnit.MILLISECONDS );
	}

	private Future<?> submitCheck(PoolGuard g) {
		if ( closed || !g.startCheck() ) {
			return null;
		}
		try {
			return checkers.submit( () -> check( g ) );
		}
		catch (RuntimeException e) {
			g.endCheck();
			return null;
		}
	}

	/** Checks the given pools now, in parallel, and waits for the checks (each bounded by its pool's timeouts). */
	void checkNow(Collection<PoolGuard> guards) {
		List<Future<?>> running = new ArrayList<>();
		for ( PoolGuard g : guards ) {
			Future<?> f = submitCheck( g );
			if ( f != null ) {
				running.add( f );
			}
		}
		for ( Future<?> f : running ) {
			try {
				f.get();
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (java.util.concurrent.ExecutionException e) {
				LOG.warn( "Health check failed unexpectedly", e.getCause() );
			}
		}
	}

	/** One check: borrow a connection from the pool (waiting at most its connection timeout) and validate it. */
	private void check(PoolGuard g) {
		long start = System.nanoTime();
		try ( Connection c = g.dataSource().getConnection() ) {
			if ( !c.isValid( (int) Math.max( 1, config.healthTimeout().toSeconds() ) ) ) {
				throw new SQLException( "connection of " + g.poolName() + " failed validation within " + config.healthTimeout(), "08006" );
			}
			g.checkPassed( System.nanoTime() - start );
			metrics.healthCheck( g.shard(), g.role(), g.poolName(), true );
		}
		catch (SQLException | RuntimeException e) {
			if ( g.retired() || g.dataSource().isClosed() ) {
				return;
			}
			g.checkFailed( System.nanoTime() - start, e );
			metrics.healthCheck( g.shard(), g.role(), g.poolName(), false );
		}
		finally {
			g.endCheck();
		}
	}

	@Override
	public void close() {
		closed = true;
		ScheduledFuture<?> t = healthTask;
		if ( t != null ) {
			t.cancel( false );
		}
		if ( ownsScheduler ) {
			scheduler.shutdownNow();
		}
		checkers.shutdownNow();
		listeners.clear();
	}
}
