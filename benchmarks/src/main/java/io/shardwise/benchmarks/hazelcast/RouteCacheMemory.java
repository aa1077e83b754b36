package io.shardwise.benchmarks.hazelcast;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.Map;

import io.shardwise.internal.ShardwiseConfig;
import io.shardwise.internal.ShardwiseRuntime;
import io.shardwise.internal.placement.PlacementStrategies;
import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.spi.TopologyStore;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

/**
 * Memory per cached placement: the heap used after a full GC, before and after the router's route cache holds N
 * placements over 64 shards, divided by N. Placements are built the way the Hazelcast store builds them (shard names
 * shared); the tenant id strings are counted (they live in the cache). Run:
 * {@code java -Xmx3g -XX:+UseG1GC -cp benchmarks/target/benchmarks.jar io.shardwise.benchmarks.hazelcast.RouteCacheMemory 1000000}
 */
public final class RouteCacheMemory {
	private RouteCacheMemory() {
	}

	public static void main(String[] args) throws Exception {
		int tenants = args.length > 0 ? Integer.parseInt( args[0] ) : 1_000_000;
		int shards = 64;
		String[] names = new String[shards];
		InMemoryTopologyStore shardsOnly = new InMemoryTopologyStore();
		for ( int s = 0; s < shards; s++ ) {
			names[s] = "s" + s;
			shardsOnly.addShard( Shard.builder( names[s] ).write( "jdbc:h2:mem:bench-memory-" + s ).build() );
		}
		ShardwiseConfig config = ShardwiseConfig.from( Map.of( "shardwise.pool.maximum-size", "1",
				"shardwise.pool.minimum-idle", "0", "shardwise.cache.ttl", "1h" ) );
		TopologyStore store = shardsOnly;
		try ( ShardwiseRuntime runtime = new ShardwiseRuntime( config, store, true,
				PlacementStrategies.create( "consistent-hash", 64 ), ShardMetricsTracker.NOOP, System::nanoTime ) ) {
			var handles = runtime.handles();
			long before = usedAfterGc();
			for ( int i = 0; i < tenants; i++ ) {
				TenantPlacement p = new TenantPlacement( "tenant-" + i, names[i % shards], TenantTier.SMALL,
						io.shardwise.topology.PlacementStatus.ACTIVE, 1 );
				runtime.cache().put( p, handles.get( i % shards ) );
			}
			long after = usedAfterGc();
			System.out.printf( Locale.ROOT, "route cache: %d placements over %d shards (tenant ids 'tenant-N'), "
					+ "heap %.1f MB -> %.1f MB: %.1f bytes per cached placement%n", runtime.cache().size(), shards,
					before / 1e6, after / 1e6, ( after - before ) / (double) tenants );
		}
	}

	private static long usedAfterGc() throws InterruptedException {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		long used = Long.MAX_VALUE;
		for ( int i = 0; i < 5; i++ ) {
			System.gc();
			Thread.sleep( 200 );
			used = Math.min( used, memory.getHeapMemoryUsage().getUsed() );
		}
		return used;
	}
}
