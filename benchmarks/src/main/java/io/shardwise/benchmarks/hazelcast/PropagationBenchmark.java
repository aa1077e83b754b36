package io.shardwise.benchmarks.hazelcast;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.shardwise.hazelcast.HazelcastTopologyStore;
import io.shardwise.spi.TopologyChange;
import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

/**
 * Propagation of a change to all of 3 members: three Hazelcast topology stores (three embedded members talking TCP
 * on loopback, one JVM), catalog in an H2 in-memory database. One operation: a compare-and-set of a placement on
 * member 1 (entry processor on the owner, write-through to the catalog, backup), then wait until the entry events of
 * all three members have reported the new version (what their routers apply). Operations run one at a time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgs = { "-Xmx1g", "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=none" })
public class PropagationBenchmark {
	private static final int TENANTS = 64;

	private final List<HazelcastTopologyStore> members = new ArrayList<>();
	private final AtomicLong[] seen = new AtomicLong[3 * TENANTS];
	private final long[] versions = new long[TENANTS];
	private final String[] shards = { "s0", "s1" };
	private int next;

	@Setup(Level.Trial)
	public void start() {
		String catalogUrl = "jdbc:h2:mem:bench-propagation;DB_CLOSE_DELAY=-1";
		Map<String, Object> settings = BenchCluster.settings( "bench-propagation", 5901, 5, catalogUrl );
		try ( JdbcCatalogTopologyStore catalog = JdbcCatalogTopologyStore.create( settings ) ) {
			for ( String s : shards ) {
				catalog.addShard( Shard.builder( s ).write( "jdbc:h2:mem:" + s ).build() );
			}
			for ( int t = 0; t < TENANTS; t++ ) {
				catalog.placeIfAbsent( TenantPlacement.of( "tenant-" + t, "s0", TenantTier.SMALL ) );
				versions[t] = 1;
			}
		}
		for ( int m = 0; m < 3; m++ ) {
			HazelcastTopologyStore store = HazelcastTopologyStore.create( settings );
			members.add( store );
			int member = m;
			for ( int t = 0; t < TENANTS; t++ ) {
				seen[member * TENANTS + t] = new AtomicLong( 1 );
			}
			store.subscribe( change -> {
				if ( change instanceof TopologyChange.PlacementChanged pc && pc.after() != null ) {
					int t = Integer.parseInt( pc.tenantId().substring( "tenant-".length() ) );
					seen[member * TENANTS + t].accumulateAndGet( pc.after().version(), Math::max );
				}
			} );
		}
	}

	@TearDown(Level.Trial)
	public void stop() {
		members.forEach( HazelcastTopologyStore::close );
	}

	@Benchmark
	public long changeOnMemberOneVisibleOnAllThree() {
		int t = next++ % TENANTS;
		long version = versions[t];
		TenantPlacement current = new TenantPlacement( "tenant-" + t, shards[(int) ( version % 2 ) == 1 ? 0 : 1],
				TenantTier.SMALL, io.shardwise.topology.PlacementStatus.ACTIVE, version );
		TenantPlacement moved = current.movedTo( shards[(int) ( ( version + 1 ) % 2 ) == 1 ? 0 : 1] );
		if ( !members.get( 0 ).replacePlacement( version, moved ) ) {
			throw new IllegalStateException( "lost the compare-and-set of " + current );
		}
		versions[t] = version + 1;
		for ( int m = 0; m < 3; m++ ) {
			AtomicLong s = seen[m * TENANTS + t];
			while ( s.get() < version + 1 ) {
				java.util.concurrent.locks.LockSupport.parkNanos( 20_000 );
			}
		}
		return version;
	}
}
