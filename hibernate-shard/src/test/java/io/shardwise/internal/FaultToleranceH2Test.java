package io.shardwise.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.shardwise.ShardSaturatedException;
import io.shardwise.ShardUnavailableException;
import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.internal.placement.PlacementStrategies;
import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardRole;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Fault-isolation settings, the bulkhead and the acquisition retry on embedded H2 pools (the PostgreSQL fault tests
 * with real network faults are in integration-tests).
 */
class FaultToleranceH2Test {
	private final String run = UUID.randomUUID().toString().substring( 0, 8 );
	private ShardwiseRuntime runtime;

	@AfterEach
	void stop() {
		if ( runtime != null ) {
			runtime.close();
		}
	}

	private ShardwiseRuntime start(Map<String, Object> settings, Shard... shards) {
		InMemoryTopologyStore store = new InMemoryTopologyStore();
		for ( Shard s : shards ) {
			store.addShard( s );
		}
		Map<String, Object> all = new HashMap<>( settings );
		all.putIfAbsent( ShardwiseSettings.HEALTH_INTERVAL, "0" );
		runtime = new ShardwiseRuntime( ShardwiseConfig.from( all ), store, true, PlacementStrategies.create( "consistent-hash", 64 ),
				ShardMetricsTracker.NOOP, System::nanoTime, all );
		return runtime;
	}

	private String url(String db) {
		return "jdbc:h2:mem:" + db + "-" + run + ";DB_CLOSE_DELAY=-1";
	}

	@Test
	void defaultsAndValidation() {
		FaultToleranceConfig d = FaultToleranceConfig.defaults();
		assertThat( d.failureThreshold() ).isEqualTo( 3 );
		assertThat( d.waitInOpen() ).isEqualTo( Duration.ofSeconds( 10 ) );
		assertThat( d.halfOpenCalls() ).isEqualTo( 1 );
		assertThat( d.healthInterval() ).isEqualTo( Duration.ofSeconds( 10 ) );
		assertThat( d.bulkheadMaxConcurrent() ).isEqualTo( 32 );
		assertThat( d.bulkheadMaxWait() ).isEqualTo( Duration.ZERO );
		assertThat( d.acquisitionMaxAttempts() ).isEqualTo( 3 );
		assertThat( d.readFallbackToPrimary() ).isTrue();
		assertThat( d.deferredMaxAttempts() ).isEqualTo( 5 );
		assertThat( d.deferredMarkerRetention() ).isEqualTo( Duration.ofDays( 7 ) );

		FaultToleranceConfig c = FaultToleranceConfig.from( Map.of( ShardwiseSettings.BREAKER_FAILURE_THRESHOLD, "5",
				ShardwiseSettings.BREAKER_WAIT_IN_OPEN, "30s", ShardwiseSettings.HEALTH_INTERVAL, "0",
				ShardwiseSettings.READ_FALLBACK_TO_PRIMARY, "false" ) );
		assertThat( c.failureThreshold() ).isEqualTo( 5 );
		assertThat( c.waitInOpen() ).isEqualTo( Duration.ofSeconds( 30 ) );
		assertThat( c.healthInterval() ).isZero();
		assertThat( c.readFallbackToPrimary() ).isFalse();

		assertThatThrownBy( () -> FaultToleranceConfig.from( Map.of( ShardwiseSettings.BREAKER_FAILURE_THRESHOLD, "0" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "'shardwise.breaker.failure-threshold' must be at least 1, but was 0" );
		assertThatThrownBy( () -> FaultToleranceConfig.from( Map.of( ShardwiseSettings.BREAKER_WAIT_IN_OPEN, "0s" ) ) )
				.hasMessageContaining( "'shardwise.breaker.wait-in-open' must be a positive duration, but was PT0S" );
		assertThatThrownBy( () -> FaultToleranceConfig.from( Map.of( ShardwiseSettings.HEALTH_TIMEOUT, "500ms" ) ) )
				.hasMessageContaining( "'shardwise.health.timeout' must be at least 1s" );
		assertThat( FaultToleranceConfig.from( Map.of( ShardwiseSettings.DEFERRED_MARKER_RETENTION, "2d" ) )
				.deferredMarkerRetention() ).isEqualTo( Duration.ofDays( 2 ) );
		assertThatThrownBy( () -> FaultToleranceConfig.from( Map.of( ShardwiseSettings.DEFERRED_MARKER_RETENTION, "30s" ) ) )
				.hasMessageContaining( "'shardwise.deferred.marker-retention' must be at least 1m" )
				.hasMessageContaining( "but was PT30S (default: PT168H)" );
		assertThatThrownBy( () -> FaultToleranceConfig.from( Map.of( ShardwiseSettings.HEALTH_SCHEDULER, "mine" ) ) )
				.hasMessageContaining( "'shardwise.health.scheduler' must be a java.util.concurrent.ScheduledExecutorService instance" )
				.hasMessageContaining( "'mine'" );
	}

	@Test
	void theBulkheadRefusesOneAcquisitionTooManyNamingShardAndLimit() throws Exception {
		start( Map.of( ShardwiseSettings.BULKHEAD_MAX_CONCURRENT_ACQUISITIONS, "1", ShardwiseSettings.POOL_MAXIMUM_SIZE, "1",
				ShardwiseSettings.POOL_MINIMUM_IDLE, "0", ShardwiseSettings.POOL_CONNECTION_TIMEOUT, "5s" ),
				Shard.builder( "slow" ).write( url( "slow" ) ).build() );
		runtime.store().placeIfAbsent( TenantPlacement.of( "t", "slow", TenantTier.SMALL ) );
		PoolGuard guard = runtime.requireHandle( "slow" ).guards().get( 0 );
		try ( Connection held = runtime.connection( "t" ) ) {
			// the pool's only connection is lent out: the next acquisition waits inside the bulkhead ...
			CompletableFuture<Connection> waiting = CompletableFuture.supplyAsync( () -> {
				try {
					return runtime.connection( "t" );
				}
				catch (SQLException e) {
					throw new IllegalStateException( e );
				}
			} );
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos( 5 );
			while ( guard.dataSource().getHikariPoolMXBean().getThreadsAwaitingConnection() == 0 && System.nanoTime() < deadline ) {
				Thread.sleep( 10 );
			}
			assertThat( guard.dataSource().getHikariPoolMXBean().getThreadsAwaitingConnection() ).isEqualTo( 1 );
			// ... and one more is refused at once
			assertThatThrownBy( () -> runtime.connection( "t" ) ).isInstanceOfSatisfying( ShardSaturatedException.class, e -> {
				assertThat( e.shard() ).isEqualTo( "slow" );
				assertThat( e.limit() ).isEqualTo( 1 );
				assertThat( e.getMessage() ).contains( "shard 'slow' WRITE: 1 threads", "shardwise.bulkhead.max-concurrent-acquisitions=1",
						"waiting=1" );
			} );
			held.close();
			waiting.get( 5, TimeUnit.SECONDS ).close();
		}
		// a bulkhead refusal is not a shard failure
		assertThat( guard.state().name() ).isEqualTo( "CLOSED" );
		assertThat( guard.breaker().getMetrics().getNumberOfFailedCalls() ).isZero();
	}

	@Test
	void withoutFallbackToThePrimaryAReadWhoseReplicaIsDownIsRefused() throws Exception {
		start( Map.of( ShardwiseSettings.READ_FALLBACK_TO_PRIMARY, "false", ShardwiseSettings.POOL_CONNECTION_TIMEOUT, "250ms",
				ShardwiseSettings.POOL_MINIMUM_IDLE, "0", ShardwiseSettings.BREAKER_FAILURE_THRESHOLD, "1" ),
				// the replica URL points at a database H2 refuses to create
				Shard.builder( "r" ).write( url( "r" ) ).addRead( "jdbc:h2:mem:nowhere-" + run + ";IFEXISTS=TRUE" ).build() );
		runtime.store().placeIfAbsent( TenantPlacement.of( "t", "r", TenantTier.SMALL ) );
		assertThatThrownBy( () -> runtime.readOnlyConnection( "t" ) ).isInstanceOfSatisfying( ShardUnavailableException.class, e -> {
			assertThat( e.role() ).isEqualTo( ShardRole.READ );
			assertThat( e.getMessage() ).contains( "shard 'r' READ: no replica can serve", "shardwise-r-read-0",
					"shardwise.read.fallback-to-primary=false" );
		} );
		// the breaker (threshold 1) is open now: the next read is refused without touching the pool
		assertThat( runtime.requireHandle( "r" ).guards().get( 1 ).state().name() ).isEqualTo( "OPEN" );
		assertThatThrownBy( () -> runtime.readOnlyConnection( "t" ) ).isInstanceOf( ShardUnavailableException.class )
				.hasMessageContaining( "shardwise-r-read-0 breaker OPEN" );
		// writes are unaffected
		try ( Connection c = runtime.connection( "t" ) ) {
			assertThat( c.isReadOnly() ).isFalse();
		}
	}

	/** A pool whose first {@code failures} borrows fail fast with the given SQLState, then behaves normally. */
	private static final class FlakyPool extends HikariDataSource {
		final AtomicInteger attempts = new AtomicInteger();
		final int failures;
		final String sqlState;

		FlakyPool(String url, int failures, String sqlState) {
			super( config( url ) );
			this.failures = failures;
			this.sqlState = sqlState;
		}

		private static HikariConfig config(String url) {
			HikariConfig c = new HikariConfig();
			c.setJdbcUrl( url );
			c.setMaximumPoolSize( 1 );
			c.setConnectionTimeout( 2000 );
			return c;
		}

		@Override
		public Connection getConnection() throws SQLException {
			if ( attempts.incrementAndGet() <= failures ) {
				throw new SQLTransientConnectionException( "flaky " + attempts.get(), sqlState );
			}
			return super.getConnection();
		}
	}

	@Test
	void transientAcquisitionErrorsAreRetriedWithinTheBudgetOthersAreNot() throws SQLException {
		FaultTolerance ft = new FaultTolerance( FaultToleranceConfig.from( Map.of( ShardwiseSettings.ACQUISITION_BACKOFF, "10ms",
				ShardwiseSettings.HEALTH_INTERVAL, "0" ) ), ShardMetricsTracker.NOOP );
		try ( FlakyPool twice = new FlakyPool( url( "flaky" ), 2, "08001" ) ) {
			try ( Connection c = ft.acquire( twice, System.nanoTime() ) ) {
				assertThat( c.isValid( 1 ) ).isTrue();
			}
			assertThat( twice.attempts ).hasValue( 3 );
		}
		try ( FlakyPool always = new FlakyPool( url( "flaky2" ), 100, "08001" ) ) {
			assertThatThrownBy( () -> ft.acquire( always, System.nanoTime() ) ).hasMessage( "flaky 3" );
			assertThat( always.attempts ).as( "max attempts (3)" ).hasValue( 3 );
		}
		// an authentication failure (SQLState 28) is not transient: never retried
		try ( HikariDataSourceFailing auth = new HikariDataSourceFailing( url( "flaky3" ) ) ) {
			assertThatThrownBy( () -> ft.acquire( auth, System.nanoTime() ) ).hasMessage( "auth" );
			assertThat( auth.attempts ).hasValue( 1 );
		}
		FaultTolerance slow = new FaultTolerance( FaultToleranceConfig.from( Map.of( ShardwiseSettings.ACQUISITION_BACKOFF, "10s",
				ShardwiseSettings.HEALTH_INTERVAL, "0" ) ), ShardMetricsTracker.NOOP );
		try ( FlakyPool budget = new FlakyPool( url( "flaky4" ), 100, "08001" ) ) {
			// a backoff longer than what is left of the 2 s connection timeout: no second attempt
			assertThatThrownBy( () -> slow.acquire( budget, System.nanoTime() ) ).hasMessage( "flaky 1" );
			assertThat( budget.attempts ).hasValue( 1 );
		}
		ft.close();
		slow.close();
	}

	/** Fails every borrow with a non-transient SQLException (not a SQLTransientException). */
	private static final class HikariDataSourceFailing extends HikariDataSource {
		final AtomicInteger attempts = new AtomicInteger();

		HikariDataSourceFailing(String url) {
			super( FlakyPool.config( url ) );
		}

		@Override
		public Connection getConnection() throws SQLException {
			attempts.incrementAndGet();
			throw new SQLException( "auth", "28P01" );
		}
	}

	@Test
	void listenersHearOfAddedUpdatedAndRemovedShards() {
		start( Map.of(), Shard.builder( "a" ).write( url( "a" ) ).build() );
		List<io.shardwise.ShardEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
		runtime.faultTolerance().addListener( events::add );
		runtime.store().addShard( Shard.builder( "b" ).write( url( "b" ) ).build() );
		Shard b = runtime.store().findShard( "b" ).orElseThrow();
		runtime.store().replaceShard( b.version(), b.next().capacityWeight( 2 ).build() );
		b = runtime.store().findShard( "b" ).orElseThrow();
		runtime.store().replaceShard( b.version(), b.next().write( url( "b2" ) ).build() );
		b = runtime.store().findShard( "b" ).orElseThrow();
		runtime.store().removeShard( "b", b.version() );
		assertThat( events ).extracting( e -> e.getClass().getSimpleName() + " " + e.shard()
				+ ( e instanceof io.shardwise.ShardEvent.ShardUpdated u ? " replaced=" + u.poolsReplaced() : "" ) )
				.containsExactly( "ShardAdded b", "ShardUpdated b replaced=false", "ShardUpdated b replaced=true", "ShardRemoved b" );
	}

	/** A clock the test moves by hand. */
	private static final class ManualClock extends java.time.Clock {
		private volatile java.time.Instant now = java.time.Instant.parse( "2026-01-01T00:00:00Z" );

		void advance(Duration d) {
			now = now.plus( d );
		}

		@Override
		public java.time.ZoneId getZone() {
			return java.time.ZoneOffset.UTC;
		}

		@Override
		public java.time.Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public java.time.Instant instant() {
			return now;
		}
	}

	@Test
	void anOpenBreakerLetsOneProbeThroughAfterTheWaitOnTheInjectedClockAndClosesWhenTheShardIsBack() throws SQLException {
		ManualClock clock = new ManualClock();
		String missing = "jdbc:h2:mem:later-" + run;
		start( Map.of( ShardwiseSettings.BREAKER_CLOCK, clock, ShardwiseSettings.BREAKER_WAIT_IN_OPEN, "10s",
				ShardwiseSettings.POOL_CONNECTION_TIMEOUT, "250ms", ShardwiseSettings.POOL_MINIMUM_IDLE, "0" ),
				// IFEXISTS: H2 refuses to connect until the database has been created by someone else
				Shard.builder( "late" ).write( missing + ";IFEXISTS=TRUE;DB_CLOSE_DELAY=-1" ).build() );
		runtime.store().placeIfAbsent( TenantPlacement.of( "t", "late", TenantTier.SMALL ) );
		List<io.shardwise.ShardEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
		runtime.faultTolerance().addListener( events::add );
		PoolGuard guard = runtime.requireHandle( "late" ).guards().get( 0 );
		for ( int i = 0; i < 3; i++ ) {
			assertThatThrownBy( () -> runtime.connection( "t" ) ).isInstanceOf( SQLException.class ).hasMessageContaining( "no connection after 250 ms" );
		}
		assertThat( guard.state().name() ).isEqualTo( "OPEN" );
		assertThatThrownBy( () -> runtime.connection( "t" ) ).isInstanceOf( ShardUnavailableException.class );

		clock.advance( Duration.ofSeconds( 9 ) );
		assertThatThrownBy( () -> runtime.connection( "t" ) ).isInstanceOf( ShardUnavailableException.class );
		clock.advance( Duration.ofSeconds( 2 ) );
		// the wait is over: one probe goes to the pool (and fails: the shard is still missing), then open again
		assertThatThrownBy( () -> runtime.connection( "t" ) ).isInstanceOf( SQLException.class ).hasMessageContaining( "no connection after" );
		assertThat( guard.state().name() ).isEqualTo( "OPEN" );

		// the shard appears; after the next wait the probe succeeds and the breaker closes
		try ( Connection create = java.sql.DriverManager.getConnection( missing + ";DB_CLOSE_DELAY=-1" ) ) {
			assertThat( create.isValid( 1 ) ).isTrue();
		}
		// (HikariCP may still be backing off from the failed attempts: a probe may time out once more, re-opening)
		Connection probe = null;
		for ( int i = 0; i < 20 && probe == null; i++ ) {
			clock.advance( Duration.ofSeconds( 11 ) );
			try {
				probe = runtime.connection( "t" );
			}
			catch (SQLException e) {
				assertThat( guard.state().name() ).isEqualTo( "OPEN" );
			}
		}
		assertThat( probe ).as( "a probe connection once the shard exists" ).isNotNull();
		try ( Connection c = probe ) {
			assertThat( c.isValid( 1 ) ).isTrue();
		}
		assertThat( guard.state().name() ).isEqualTo( "CLOSED" );
		List<String> transitions = events.stream().filter( io.shardwise.ShardEvent.BreakerStateChanged.class::isInstance )
				.map( e -> ( (io.shardwise.ShardEvent.BreakerStateChanged) e ).to() ).toList();
		assertThat( transitions ).startsWith( "OPEN", "HALF_OPEN", "OPEN", "HALF_OPEN" ).endsWith( "HALF_OPEN", "CLOSED" );
	}

	@Test
	void scheduledHealthChecksOpenTheBreakerOfADeadPoolWithoutAnyRequest() throws Exception {
		java.util.concurrent.ScheduledExecutorService scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
		try {
			start( Map.of( ShardwiseSettings.HEALTH_SCHEDULER, scheduler, ShardwiseSettings.HEALTH_INTERVAL, "50ms",
					ShardwiseSettings.POOL_CONNECTION_TIMEOUT, "250ms", ShardwiseSettings.POOL_MINIMUM_IDLE, "0" ),
					Shard.builder( "gone" ).write( "jdbc:h2:mem:gone-" + run + ";IFEXISTS=TRUE" ).build(),
					Shard.builder( "fine" ).write( url( "fine" ) ).build() );
			PoolGuard gone = runtime.requireHandle( "gone" ).guards().get( 0 );
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos( 20 );
			while ( !"OPEN".equals( gone.state().name() ) && System.nanoTime() < deadline ) {
				Thread.sleep( 25 );
			}
			assertThat( gone.state().name() ).as( "breaker of a pool that failed 3 health checks" ).isEqualTo( "OPEN" );
			assertThat( gone.lastFailure() ).isNotNull();
			assertThat( runtime.requireHandle( "fine" ).guards().get( 0 ).state().name() ).isEqualTo( "CLOSED" );
			runtime.close();
			runtime = null;
			assertThat( scheduler.isShutdown() ).as( "a handed-in scheduler stays the caller's" ).isFalse();
		}
		finally {
			scheduler.shutdownNow();
		}
	}

	@Test
	void breakerMetersFollowAPoolThatIsReopened() {
		io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
		InMemoryTopologyStore store = new InMemoryTopologyStore();
		store.addShard( Shard.builder( "m" ).write( url( "m" ) ).build() );
		Map<String, Object> settings = Map.of( ShardwiseSettings.HEALTH_INTERVAL, "0" );
		runtime = new ShardwiseRuntime( ShardwiseConfig.from( settings ), store, true, PlacementStrategies.create( "consistent-hash", 64 ),
				new io.shardwise.metrics.MicrometerShardMetricsTracker( registry ), System::nanoTime, settings );
		Shard m = store.findShard( "m" ).orElseThrow();
		store.replaceShard( m.version(), m.next().write( url( "m2" ) ).build() );
		PoolGuard now = runtime.requireHandle( "m" ).guards().get( 0 );
		now.breaker().transitionToOpenState();
		assertThat( registry.get( io.shardwise.ShardwiseMeters.BREAKER_STATE ).tags( "pool", "shardwise-m-write", "state", "open" )
				.gauge().value() ).as( "the gauge reads the new pool's breaker" ).isEqualTo( 1.0 );
		assertThat( registry.find( io.shardwise.ShardwiseMeters.BREAKER_STATE ).tags( "pool", "shardwise-m-write", "state", "open" )
				.gauges() ).hasSize( 1 );
	}
}
