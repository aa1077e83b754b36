package io.shardwise.benchmarks.hazelcast;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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
import org.openjdk.jmh.annotations.Warmup;

import io.shardwise.internal.ShardwiseConfig;
import io.shardwise.internal.ShardwiseRuntime;
import io.shardwise.internal.placement.PlacementStrategies;
import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

/**
 * The cached routing lookup at scale: 1,000,000 tenants over 64 shards, every placement in the router's route cache
 * (pulled with {@link ShardwiseRuntime#reloadTopology}), a uniformly random tenant per lookup. {@code routeCacheGet}
 * is what every routed connection pays before the pool; {@code placementLookup} adds the tenant id check of the
 * public {@code Shardwise.placement} path; {@code baselinePickTenantId} is the benchmark's own share (choosing a random
 * tenant id among a million touches two cold cache lines before any lookup).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgs = { "-Xmx3g" })
public class CachedLookupBenchmark {
	@Param({ "1000000" })
	int tenants;

	@Param({ "64" })
	int shards;

	private ShardwiseRuntime runtime;
	private String[] ids;

	@Setup(Level.Trial)
	public void setUp() {
		InMemoryTopologyStore store = new InMemoryTopologyStore();
		String[] names = new String[shards];
		for ( int s = 0; s < shards; s++ ) {
			names[s] = "s" + s;
			store.addShard( Shard.builder( names[s] ).write( "jdbc:h2:mem:bench-lookup-" + s ).build() );
		}
		ids = new String[tenants];
		for ( int i = 0; i < tenants; i++ ) {
			ids[i] = "tenant-" + i;
			store.placeIfAbsent( TenantPlacement.of( ids[i], names[i % shards], TenantTier.SMALL ) );
		}
		ShardwiseConfig config = ShardwiseConfig.from( Map.of( "shardwise.pool.maximum-size", "1",
				"shardwise.pool.minimum-idle", "0", "shardwise.cache.ttl", "1h" ) );
		runtime = new ShardwiseRuntime( config, store, true, PlacementStrategies.create( "consistent-hash", 64 ),
				ShardMetricsTracker.NOOP, System::nanoTime );
		runtime.reloadTopology( "benchmark set-up" );
		if ( runtime.cache().size() != tenants ) {
			throw new IllegalStateException( "cached " + runtime.cache().size() + " of " + tenants + " placements" );
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		runtime.close();
	}

	@Benchmark
	public Object routeCacheGet() {
		return runtime.cache().get( ids[ThreadLocalRandom.current().nextInt( ids.length )] );
	}

	/** The benchmark's own cost: picking a random tenant id out of a million and reading its hash (no lookup). */
	@Benchmark
	public int baselinePickTenantId() {
		return ids[ThreadLocalRandom.current().nextInt( ids.length )].hashCode();
	}

	@Benchmark
	public Object placementLookup() {
		return runtime.placement( ids[ThreadLocalRandom.current().nextInt( ids.length )] );
	}
}
