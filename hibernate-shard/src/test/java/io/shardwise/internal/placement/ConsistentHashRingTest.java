package io.shardwise.internal.placement;

import static io.shardwise.internal.placement.PlacementTestData.equalShards;
import static io.shardwise.internal.placement.PlacementTestData.sequentialTenantIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

import org.junit.jupiter.api.Test;

/**
 * Determinism, pinned answers (a regression guard on the hash and the point layout), lookups around the ring,
 * collisions, point counts and argument checks.
 */
class ConsistentHashRingTest {

	@Test
	void hashIsTheFirstLongOfMurmur3X64_128() {
		// Reference vector of MurmurHash3_x64_128 (seed 0): digest 6c1b07bc7bbc4be3 47939ac4a93c437a, whose first
		// 8 bytes read little-endian are h1.
		assertThat( ConsistentHashRing.hash( "The quick brown fox jumps over the lazy dog" ) )
				.isEqualTo( 0xe34bbc7bbc071b6cL );
	}

	@Test
	void hashIsStable() {
		// computed once with this implementation; a change here re-places new tenants differently
		assertThat( ConsistentHashRing.hash( "shard-00#0" ) ).isEqualTo( SHARD_00_POINT_0 );
		assertThat( ConsistentHashRing.hash( "tenant-1" ) ).isEqualTo( TENANT_1 );
		assertThat( ConsistentHashRing.hash( "tenant-\u00e9" ) ).isEqualTo( TENANT_E_ACUTE );
	}

	@Test
	void pinnedAnswers() {
		// computed once with this implementation (16 equal shards, default virtual nodes): a regression guard
		ConsistentHashRing ring = ConsistentHashRing.of( equalShards( 16 ) );
		assertThat( ring.shardFor( "tenant-0" ) ).isEqualTo( PINNED_TENANT_0 );
		assertThat( ring.shardFor( "tenant-1" ) ).isEqualTo( PINNED_TENANT_1 );
		assertThat( ring.shardFor( "acme" ) ).isEqualTo( PINNED_ACME );
		assertThat( ring.shardFor( "3f2504e0-4f89-41d3-9a0c-0305e82c3301" ) ).isEqualTo( PINNED_UUID );
		ConsistentHashRing small = ConsistentHashRing.of( Map.of( "eu-1", 1, "eu-2", 2, "us-1", 3 ), 128 );
		assertThat( small.shardFor( "tenant-0" ) ).isEqualTo( PINNED_SMALL_TENANT_0 );
		assertThat( small.shardFor( "acme" ) ).isEqualTo( PINNED_SMALL_ACME );
	}

	@Test
	void sameInputsGiveTheSameAnswersWhateverTheMapOrder() {
		Map<String, Integer> forward = new LinkedHashMap<>();
		Map<String, Integer> backward = new LinkedHashMap<>();
		List<String> names = new ArrayList<>( equalShards( 12 ).keySet() );
		for ( int i = 0; i < names.size(); i++ ) {
			forward.put( names.get( i ), 1 + i % 3 );
		}
		Collections.reverse( names );
		for ( String name : names ) {
			backward.put( name, forward.get( name ) );
		}
		ConsistentHashRing a = ConsistentHashRing.of( forward, 300 );
		ConsistentHashRing b = ConsistentHashRing.of( backward, 300 );
		ConsistentHashRing c = ConsistentHashRing.of( new HashMap<>( forward ), 300 );
		assertThat( a.size() ).isEqualTo( b.size() ).isEqualTo( c.size() );
		for ( String key : sequentialTenantIds() ) {
			String expected = a.shardFor( key );
			assertThat( b.shardFor( key ) ).isEqualTo( expected );
			assertThat( c.shardFor( key ) ).isEqualTo( expected );
		}
	}

	@Test
	void everyShardGetsKeysAndAnswersAreAlwaysShardsOfTheRing() {
		ConsistentHashRing ring = ConsistentHashRing.of( equalShards( 5 ), 64 );
		assertThat( PlacementTestData.countByShard( ring, sequentialTenantIds() ) )
				.containsOnlyKeys( ring.shardNames() )
				.allSatisfy( (shard, count) -> assertThat( count ).isPositive() );
	}

	@Test
	void keyGoesToTheFirstPointAtOrAfterItsHashWrappingAround() {
		// two points each; ring in signed order: a#0 -100, b#0 10, a#1 20, b#1 50
		Map<String, Long> positions = new HashMap<>( Map.of( "a#0", -100L, "b#0", 10L, "a#1", 20L, "b#1", 50L ) );
		ConsistentHashRing ring = ConsistentHashRing.withHash( Map.of( "b", 1, "a", 1 ), 2,
				key -> positions.containsKey( key ) ? positions.get( key ) : Long.parseLong( key ) );
		assertThat( ring.size() ).isEqualTo( 4 );
		assertThat( ring.shardFor( Long.toString( Long.MIN_VALUE ) ) ).isEqualTo( "a" );
		assertThat( ring.shardFor( "-150" ) ).isEqualTo( "a" );
		assertThat( ring.shardFor( "-100" ) ).isEqualTo( "a" );
		assertThat( ring.shardFor( "-99" ) ).isEqualTo( "b" );
		assertThat( ring.shardFor( "10" ) ).isEqualTo( "b" );
		assertThat( ring.shardFor( "15" ) ).isEqualTo( "a" );
		assertThat( ring.shardFor( "20" ) ).isEqualTo( "a" );
		assertThat( ring.shardFor( "21" ) ).isEqualTo( "b" );
		assertThat( ring.shardFor( "50" ) ).isEqualTo( "b" );
		assertThat( ring.shardFor( "51" ) ).isEqualTo( "a" );
		assertThat( ring.shardFor( Long.toString( Long.MAX_VALUE ) ) ).isEqualTo( "a" );
	}

	@Test
	void collidingPointsGoToTheShardWhoseNameSortsFirst() {
		// every point of every shard at the same two positions: the ring keeps two points, both owned by "alpha"
		ToLongFunction<String> hasher = key -> key.endsWith( "#0" ) ? 7L : key.contains( "#" ) ? 42L : Long.parseLong( key );
		Map<String, Integer> weights = new LinkedHashMap<>();
		weights.put( "gamma", 1 );
		weights.put( "beta", 1 );
		weights.put( "alpha", 1 );
		ConsistentHashRing ring = ConsistentHashRing.withHash( weights, 3, hasher );
		assertThat( ring.size() ).isEqualTo( 2 );
		assertThat( ring.pointsOf( "alpha" ) ).isEqualTo( 2 );
		assertThat( ring.pointsOf( "beta" ) ).isZero();
		assertThat( ring.shardFor( "0" ) ).isEqualTo( "alpha" );
		assertThat( ring.shardFor( "40" ) ).isEqualTo( "alpha" );
		assertThat( ring.shardFor( "100" ) ).isEqualTo( "alpha" );

		// a partial collision: beta#1 lands on alpha#0, the rest is apart
		Map<String, Long> positions = Map.of( "alpha#0", 100L, "alpha#1", 300L, "beta#0", 200L, "beta#1", 100L );
		ConsistentHashRing partial = ConsistentHashRing.withHash( Map.of( "beta", 1, "alpha", 1 ), 2,
				key -> positions.containsKey( key ) ? positions.get( key ) : Long.parseLong( key ) );
		assertThat( partial.size() ).isEqualTo( 3 );
		assertThat( partial.shardFor( "50" ) ).isEqualTo( "alpha" );
		assertThat( partial.shardFor( "150" ) ).isEqualTo( "beta" );
		assertThat( partial.shardFor( "250" ) ).isEqualTo( "alpha" );
		assertThat( partial.shardFor( "301" ) ).isEqualTo( "alpha" );
	}

	@Test
	void pointKeysAreShardNameHashIndex() {
		Set<String> hashed = new TreeSet<>();
		ConsistentHashRing.withHash( Map.of( "db-7", 1, "x", 1 ), 12, key -> {
			hashed.add( key );
			return hashed.size();
		} );
		Set<String> expected = new TreeSet<>();
		for ( int i = 0; i < 12; i++ ) {
			expected.add( "db-7#" + i );
			expected.add( "x#" + i );
		}
		assertThat( hashed ).isEqualTo( expected );
	}

	@Test
	void pointCountsFollowWeightsRelativeToTheMean() {
		Map<String, Integer> weights = Map.of( "a", 1, "b", 2, "c", 3 );
		ConsistentHashRing ring = ConsistentHashRing.of( weights, 100 );
		// mean 2: 100 * w / 2
		assertThat( ring.pointsOf( "a" ) ).isEqualTo( 50 );
		assertThat( ring.pointsOf( "b" ) ).isEqualTo( 100 );
		assertThat( ring.pointsOf( "c" ) ).isEqualTo( 150 );
		assertThat( ring.pointsOf( "unknown" ) ).isZero();
		assertThat( ring.size() ).isEqualTo( 300 );
		assertThat( ring.shardNames() ).containsExactly( "a", "b", "c" );
		assertThat( ring.weights() ).containsExactly( Map.entry( "a", 1 ), Map.entry( "b", 2 ), Map.entry( "c", 3 ) );
	}

	@Test
	void everyShardHasAtLeastOnePoint() {
		// mean weight 500.5: round(1 / 500.5) would be 0
		ConsistentHashRing ring = ConsistentHashRing.of( Map.of( "tiny", 1, "huge", 1000 ), 1 );
		assertThat( ring.pointsOf( "tiny" ) ).isEqualTo( 1 );
		assertThat( ring.pointsOf( "huge" ) ).isEqualTo( 2 );
		assertThat( ConsistentHashRing.pointCount( 3, 1, 2, 2 ) ).isEqualTo( 3 );
		assertThat( ConsistentHashRing.pointCount( 3, 1, 2, 4 ) ).isEqualTo( 2 ); // 1.5 rounds up
		assertThat( ConsistentHashRing.pointCount( Integer.MAX_VALUE, Integer.MAX_VALUE, 2, Integer.MAX_VALUE + 1L ) )
				.isEqualTo( Integer.MAX_VALUE );
	}

	@Test
	void singleShardOwnsEverything() {
		ConsistentHashRing ring = ConsistentHashRing.of( Map.of( "only", 5 ), 1 );
		assertThat( ring.size() ).isEqualTo( 1 );
		assertThat( ring.shares() ).containsExactly( Map.entry( "only", 1.0 ) );
		assertThat( ring.shardFor( "x" ) ).isEqualTo( "only" );
		assertThat( ring.shardFor( "" ) ).isEqualTo( "only" );
	}

	@Test
	void rejectsInvalidArguments() {
		assertThatThrownBy( () -> ConsistentHashRing.of( Map.of(), 10 ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "shard weights must name at least one shard, but were empty" );
		assertThatThrownBy( () -> ConsistentHashRing.of( null, 10 ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "shard weights must not be null" );
		assertThatThrownBy( () -> ConsistentHashRing.of( Map.of( "a", 1 ), 0 ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "virtual nodes must be greater than 0, but was 0" );
		assertThatThrownBy( () -> ConsistentHashRing.of( Map.of( "a", 1 ), -5 ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "virtual nodes must be greater than 0, but was -5" );
		assertThatThrownBy( () -> ConsistentHashRing.of( Map.of( "a", 0 ), 10 ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "weight of shard 'a' must be greater than 0, but was 0" );
		Map<String, Integer> nullWeight = new HashMap<>();
		nullWeight.put( "a", null );
		assertThatThrownBy( () -> ConsistentHashRing.of( nullWeight, 10 ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "weight of shard 'a' must not be null" );
		assertThatThrownBy( () -> ConsistentHashRing.of( Map.of( "a#1", 1 ), 10 ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessageStartingWith( "shard name must be 1 to 64 characters of [A-Za-z0-9._-], but was 'a#1'" );
		assertThatThrownBy( () -> ConsistentHashRing.of( Map.of( "a", 1 ), 10 ).shardFor( null ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "key must not be null" );
		assertThatThrownBy( () -> ConsistentHashRing.of( Map.of( "a", 1, "b", 1 ), ConsistentHashRing.MAX_POINTS ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessageContaining( "must have at most " + ConsistentHashRing.MAX_POINTS + " points" )
				.hasMessageContaining( "lower 'shardwise.placement.virtual-nodes'" );
	}

	// Pinned values, computed once with this implementation.
	private static final long SHARD_00_POINT_0 = -7980740929800163390L;
	private static final long TENANT_1 = -689744879324157553L;
	private static final long TENANT_E_ACUTE = 2709116849290962300L;
	private static final String PINNED_TENANT_0 = "shard-11";
	private static final String PINNED_TENANT_1 = "shard-08";
	private static final String PINNED_ACME = "shard-06";
	private static final String PINNED_UUID = "shard-01";
	private static final String PINNED_SMALL_TENANT_0 = "us-1";
	private static final String PINNED_SMALL_ACME = "eu-2";
}
