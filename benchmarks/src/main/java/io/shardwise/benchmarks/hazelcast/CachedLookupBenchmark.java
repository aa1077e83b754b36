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

import io.shardwise.internal.RouteCache;
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
 * (pulled with {@link ShardwiseRuntime#reloadTopology}), a uniformly random tenant per lookup.
 * Each lookup is what routing reads before the pool: {@code RouteCache.get} (the route word) and the shard handle the
 * word names.
 * <ul>
 * <li>{@code routeCacheGetRequestTenantId}: the lookup as routing meets it, with the tenant id a new string (as parsed
 * from a request), equal to the cached id but another instance; {@code baselineBuildTenantId} is the benchmark's own
 * share (building that string).</li>
 * <li>{@code routeCacheGet}: the lookup with a cold tenant id, one of the million pre-built id strings picked at random
 * (their array slot, the string and its characters are cache misses of the benchmark's making);
 * {@code baselinePickTenantId} is that pick alone.</li>
 * <li>{@code placementLookup}: the public {@code Shardwise.placement} path with a cold id: the tenant-id check and
 * the cached {@code TenantPlacement} (the slot, then the placement array and the placement).</li>
 * </ul>
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
		return shardOf( ids[ThreadLocalRandom.current().nextInt( ids.length )] );
	}

	/** What routing reads before the pool: the route word and the shard handle it names. */
	private Object shardOf(String tenantId) {
		RouteCache cache = runtime.cache();
		long route = cache.get( tenantId );
		return route == RouteCache.MISS ? null : cache.shard( route );
	}

	/** The benchmark's own cost: picking a random tenant id out of a million and reading its hash (no lookup). */
	@Benchmark
	public int baselinePickTenantId() {
		return ids[ThreadLocalRandom.current().nextInt( ids.length )].hashCode();
	}

	/**
	 * The lookup as routing meets it: the tenant id arrives as a new string (parsed from a request, held in the
	 * session), equal to the cached one but not the same instance and not yet hashed.
	 */
	@Benchmark
	public Object routeCacheGetRequestTenantId() {
		return shardOf( "tenant-" + ThreadLocalRandom.current().nextInt( tenants ) );
	}

	/** The benchmark's own cost for {@link #routeCacheGetRequestTenantId}: building the id string (no lookup). */
	@Benchmark
	public String baselineBuildTenantId() {
		return "tenant-" + ThreadLocalRandom.current().nextInt( tenants );
	}

	@Benchmark
	public Object placementLookup() {
		return runtime.placement( ids[ThreadLocalRandom.current().nextInt( ids.length )] );
	}
}
