package io.shardwise.internal.placement;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.shardwise.topology.Shard;

/**
 * Key sets, shard sets and counting helpers shared by the placement tests. Everything is deterministic: the "random"
 * UUIDs come from a fixed seed.
 */
final class PlacementTestData {
	static final int KEY_COUNT = 100_000;

	private PlacementTestData() {
	}

	/** {@code tenant-0 .. tenant-99999}. */
	static String[] sequentialTenantIds() {
		String[] keys = new String[KEY_COUNT];
		for ( int i = 0; i < keys.length; i++ ) {
			keys[i] = "tenant-" + i;
		}
		return keys;
	}

	/** 100,000 version-4 UUIDs from a seeded generator (random-looking, but the same on every run). */
	static String[] randomUuids() {
		Random random = new Random( 20240601L );
		String[] keys = new String[KEY_COUNT];
		for ( int i = 0; i < keys.length; i++ ) {
			long high = ( random.nextLong() & ~0xF000L ) | 0x4000L;
			long low = ( random.nextLong() & 0x3FFFFFFFFFFFFFFFL ) | 0x8000000000000000L;
			keys[i] = new UUID( high, low ).toString();
		}
		return keys;
	}

	/** {@code shard-00 .. shard-(n-1)}, weight 1 each, in name order. */
	static Map<String, Integer> equalShards(int n) {
		Map<String, Integer> weights = new LinkedHashMap<>();
		for ( int i = 0; i < n; i++ ) {
			weights.put( String.format( "shard-%02d", i ), 1 );
		}
		return weights;
	}

	static Map<String, Integer> countByShard(ConsistentHashRing ring, String[] keys) {
		Map<String, Integer> counts = new HashMap<>();
		for ( String shard : ring.shardNames() ) {
			counts.put( shard, 0 );
		}
		for ( String key : keys ) {
			counts.merge( ring.shardFor( key ), 1, Integer::sum );
		}
		return counts;
	}

	/** The largest |count - mean| / mean over the shards of the ring. */
	static double maxRelativeDeviation(ConsistentHashRing ring, String[] keys) {
		double mean = (double) keys.length / ring.shardNames().size();
		double max = 0;
		for ( int count : countByShard( ring, keys ).values() ) {
			max = Math.max( max, Math.abs( count - mean ) / mean );
		}
		return max;
	}

	static Shard shard(String name, int capacityWeight) {
		return Shard.builder( name ).write( "jdbc:h2:mem:" + name ).capacityWeight( capacityWeight ).build();
	}

	static List<Shard> shards(Shard... shards) {
		return List.of( shards );
	}
}
