package io.shardwise.benchmarks.fault;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import org.h2.tools.Server;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import io.shardwise.ShardUnavailableException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.internal.ShardwiseConfig;
import io.shardwise.internal.ShardwiseRuntime;
import io.shardwise.internal.placement.PlacementStrategies;
import io.shardwise.it.fixtures.FaultProxy;
import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.topology.PoolSettings;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

/**
 * Fault isolation under load: four H2 shards served over TCP by an H2 server, each behind a {@link FaultProxy}.
 * Two background threads keep hitting the tenants of shard s3 all the time (one unit of work, then 1 ms of think
 * time); the measured threads run units of work
 * (routed connection, {@code SELECT 1}, close) for tenants of s0..s2. With {@code fault=blackholed}, s3 is black-holed
 * (its connections accepted and never answered), so the background threads first wait for connection timeouts until
 * s3's breaker opens, then fail fast, with a half-open probe and a health check every 10 s.
 * {@link #healthyShardUnitOfWork} gives the p99 of the healthy shards in both states (target: black-holed p99 at most
 * 1.2 x healthy p99); {@link FailFast#openBreakerFailFast} the time a session of the dead shard takes to be refused.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class FaultIsolationBenchmark {

	/** Four TCP shards behind proxies, a runtime with 8 tenants per shard, and background load on s3. */
	@State(Scope.Benchmark)
	public static class Cluster {
		@Param({ "healthy", "blackholed" })
		public String fault;

		ShardwiseRuntime runtime;
		Server h2;
		final List<FaultProxy> proxies = new ArrayList<>();
		final List<List<String>> tenants = new ArrayList<>();
		String[] healthyTenants;
		final AtomicBoolean stop = new AtomicBoolean();
		final List<Thread> background = new ArrayList<>();
		final LongAdder backgroundRefused = new LongAdder();
		final LongAdder backgroundFailed = new LongAdder();
		final LongAdder backgroundOk = new LongAdder();

		@Setup(Level.Trial)
		public void setUp() throws Exception {
			int port = freePort();
			h2 = Server.createTcpServer( "-tcpPort", String.valueOf( port ), "-ifNotExists" ).start();
			InMemoryTopologyStore store = new InMemoryTopologyStore();
			List<String> healthy = new ArrayList<>();
			for ( int s = 0; s < 4; s++ ) {
				FaultProxy proxy = FaultProxy.start( "127.0.0.1", port );
				proxies.add( proxy );
				Shard.Builder shard = Shard.builder( "s" + s )
						.write( "jdbc:h2:tcp://127.0.0.1:" + proxy.port() + "/mem:fault-bench-" + s + ";DB_CLOSE_DELAY=-1" );
				if ( s == 3 ) {
					// no idle connections kept open to s3 before the fault: H2's client has no socket timeout, so a
					// statement on a connection that was open when the black hole began would hang for good (the
					// breaker guards acquisition; statements need the driver's socket or query timeout)
					shard.pool( PoolSettings.builder().minimumIdle( 0 ).build() );
				}
				store.addShard( shard.build() );
				List<String> ts = new ArrayList<>();
				for ( int t = 0; t < 8; t++ ) {
					String tenant = "s" + s + "-t" + t;
					store.placeIfAbsent( TenantPlacement.of( tenant, "s" + s, TenantTier.SMALL ) );
					ts.add( tenant );
					if ( s < 3 ) {
						healthy.add( tenant );
					}
				}
				tenants.add( ts );
			}
			healthyTenants = healthy.toArray( String[]::new );
			Map<String, Object> settings = new HashMap<>();
			settings.put( ShardwiseSettings.POOL_MAXIMUM_SIZE, "4" );
			settings.put( ShardwiseSettings.POOL_MINIMUM_IDLE, "4" );
			settings.put( ShardwiseSettings.POOL_CONNECTION_TIMEOUT, "500ms" );
			settings.put( ShardwiseSettings.CACHE_TTL, "1h" );
			runtime = new ShardwiseRuntime( ShardwiseConfig.from( settings ), store, true,
					PlacementStrategies.create( "consistent-hash", 2048 ), ShardMetricsTracker.NOOP, System::nanoTime, settings );
			for ( String t : healthyTenants ) {
				unitOfWork( runtime, t );
			}
			if ( fault.equals( "blackholed" ) ) {
				proxies.get( 3 ).blackHole();
			}
			for ( int i = 0; i < 2; i++ ) {
				int offset = i;
				Thread t = new Thread( () -> {
					List<String> dead = tenants.get( 3 );
					for ( int n = offset; !stop.get(); n++ ) {
						try {
							unitOfWork( runtime, dead.get( n % dead.size() ) );
							backgroundOk.increment();
						}
						catch (ShardUnavailableException e) {
							backgroundRefused.increment();
						}
						catch (SQLException | RuntimeException e) {
							backgroundFailed.increment();
						}
						// request threads with a little think time, not a hot loop that would only measure CPU contention
						java.util.concurrent.locks.LockSupport.parkNanos( 1_000_000 );
					}
				}, "s3-load-" + i );
				t.setDaemon( true );
				t.start();
				background.add( t );
			}
		}

		@TearDown(Level.Trial)
		public void tearDown() throws InterruptedException {
			stop.set( true );
			for ( FaultProxy p : proxies ) {
				p.restore();
			}
			for ( Thread t : background ) {
				t.join( 10_000 );
			}
			System.out.println( "\n[" + fault + "] background load on s3: ok=" + backgroundOk + ", refused by the breaker="
					+ backgroundRefused + ", failed=" + backgroundFailed + "; breakers: "
					+ runtime.guards().stream().map( g -> g.poolName() + "=" + g.state() ).toList() );
			runtime.close();
			for ( FaultProxy p : proxies ) {
				p.close();
			}
			h2.stop();
		}
	}

	static void unitOfWork(ShardwiseRuntime runtime, String tenant) throws SQLException {
		try ( Connection c = runtime.connection( tenant ); Statement st = c.createStatement(); ResultSet rs = st.executeQuery( "select 1" ) ) {
			rs.next();
		}
	}

	static int freePort() throws IOException {
		try ( ServerSocket s = new ServerSocket( 0, 1, InetAddress.getLoopbackAddress() ) ) {
			return s.getLocalPort();
		}
	}

	/** A unit of work for a tenant of a healthy shard (s0..s2), two measured threads. */
	@Benchmark
	@Threads(2)
	public void healthyShardUnitOfWork(Cluster cluster) throws SQLException {
		String tenant = cluster.healthyTenants[ThreadLocalRandom.current().nextInt( cluster.healthyTenants.length )];
		unitOfWork( cluster.runtime, tenant );
	}

	/** A shard whose breaker is open: how long a session of its tenants takes to be refused. */
	@State(Scope.Benchmark)
	public static class OpenBreaker {
		ShardwiseRuntime runtime;
		Server h2;
		FaultProxy proxy;

		@Setup(Level.Trial)
		public void setUp() throws Exception {
			int port = freePort();
			h2 = Server.createTcpServer( "-tcpPort", String.valueOf( port ), "-ifNotExists" ).start();
			proxy = FaultProxy.start( "127.0.0.1", port );
			InMemoryTopologyStore store = new InMemoryTopologyStore();
			store.addShard( Shard.builder( "dead" ).write( "jdbc:h2:tcp://127.0.0.1:" + proxy.port() + "/mem:fault-bench-dead;DB_CLOSE_DELAY=-1" ).build() );
			store.placeIfAbsent( TenantPlacement.of( "victim", "dead", TenantTier.SMALL ) );
			Map<String, Object> settings = new HashMap<>();
			settings.put( ShardwiseSettings.POOL_MAXIMUM_SIZE, "2" );
			settings.put( ShardwiseSettings.POOL_MINIMUM_IDLE, "0" );
			settings.put( ShardwiseSettings.POOL_CONNECTION_TIMEOUT, "250ms" );
			settings.put( ShardwiseSettings.BREAKER_WAIT_IN_OPEN, "1h" );
			settings.put( ShardwiseSettings.HEALTH_INTERVAL, "0" );
			runtime = new ShardwiseRuntime( ShardwiseConfig.from( settings ), store, true,
					PlacementStrategies.create( "consistent-hash", 2048 ), ShardMetricsTracker.NOOP, System::nanoTime, settings );
			proxy.cut();
			for ( int i = 0; i < 10; i++ ) {
				try {
					unitOfWork( runtime, "victim" );
				}
				catch (SQLException | RuntimeException expected) {
					// opening the breaker
				}
			}
			if ( !"OPEN".equals( runtime.guards().get( 0 ).state().name() ) ) {
				throw new IllegalStateException( "the breaker of the dead shard did not open: " + runtime.guards().get( 0 ).state() );
			}
		}

		@TearDown(Level.Trial)
		public void tearDown() {
			runtime.close();
			proxy.close();
			h2.stop();
		}
	}

	/** Time for a session of a shard with an open breaker to fail with {@link ShardUnavailableException}. */
	@Benchmark
	@BenchmarkMode(Mode.SampleTime)
	@OutputTimeUnit(TimeUnit.NANOSECONDS)
	@Threads(1)
	public Object openBreakerFailFast(OpenBreaker state) {
		try {
			return state.runtime.connection( "victim" );
		}
		catch (ShardUnavailableException e) {
			return e;
		}
		catch (SQLException e) {
			throw new IllegalStateException( "expected a refusal by the open breaker", e );
		}
	}
}
