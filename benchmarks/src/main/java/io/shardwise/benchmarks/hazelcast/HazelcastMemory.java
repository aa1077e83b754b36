package io.shardwise.benchmarks.hazelcast;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;

import io.shardwise.hazelcast.HazelcastTopologyStore;

/**
 * The Hazelcast side of memory per placement, for comparison with the route cache: heap after full GCs with N
 * placements (64 shards, H2 in-memory catalog) in two members in this JVM. Steps: one member (each entry once, no
 * backup possible); two members (owner copy plus backup copy); then member 2 reads every placement once (its near cache
 * fills with the entries member 1 owns). Run:
 * {@code java -Xmx3g -XX:+UseG1GC -Dhazelcast.logging.type=none -cp benchmarks/target/benchmarks.jar io.shardwise.benchmarks.hazelcast.HazelcastMemory 200000}
 */
public final class HazelcastMemory {
	private HazelcastMemory() {
	}

	public static void main(String[] args) throws Exception {
		int n = args.length > 0 ? Integer.parseInt( args[0] ) : 200_000;
		String url = "jdbc:h2:mem:bench-hz-memory;DB_CLOSE_DELAY=-1";
		Map<String, Object> settings = BenchCluster.settings( "bench-memory", 5921, 5, url );
		BenchCluster.seedCatalog( settings, n );
		// baseline: a member with an empty topology of its own cluster, so that Hazelcast's fixed costs cancel out
		long base = used();
		try ( HazelcastTopologyStore one = HazelcastTopologyStore.create( settings ) ) {
			long withOne = used();
			try ( HazelcastTopologyStore two = HazelcastTopologyStore.create( settings ) ) {
				long withTwo = used();
				for ( int i = 0; i < n; i++ ) {
					two.findPlacement( "tenant-" + i );
				}
				long withNear = used();
				System.out.printf( Locale.ROOT, "%d placements: 1 member %+.1f MB (%.0f B/placement incl. member start-up); "
						+ "+2nd member (backups) %+.1f MB (%.0f B/placement incl. its start-up); member 2 near cache after "
						+ "reading all %+.1f MB (%.0f B per near-cached placement, %d cached)%n", n,
						( withOne - base ) / 1e6, ( withOne - base ) / (double) n,
						( withTwo - withOne ) / 1e6, ( withTwo - withOne ) / (double) n,
						( withNear - withTwo ) / 1e6, ( withNear - withTwo ) / (double) Math.max( 1,
								two.hazelcastInstance().getMap( "shardwise.placements" ).getLocalMapStats()
										.getNearCacheStats().getOwnedEntryCount() ),
						two.hazelcastInstance().getMap( "shardwise.placements" ).getLocalMapStats().getNearCacheStats()
								.getOwnedEntryCount() );
			}
		}
	}

	private static long used() throws InterruptedException {
		long used = Long.MAX_VALUE;
		for ( int i = 0; i < 5; i++ ) {
			System.gc();
			Thread.sleep( 300 );
			used = Math.min( used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() );
		}
		return used;
	}
}
