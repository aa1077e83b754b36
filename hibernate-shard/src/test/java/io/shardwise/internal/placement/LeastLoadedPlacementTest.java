package io.shardwise.internal.placement;

import static io.shardwise.internal.placement.PlacementTestData.shard;
import static io.shardwise.internal.placement.PlacementTestData.shards;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantTier;

/**
 * The least-loaded strategy: lowest {@code (load + tier weight) / capacity weight}, ties by name.
 */
class LeastLoadedPlacementTest {

	private final LeastLoadedPlacement placement = new LeastLoadedPlacement();

	@Test
	void picksTheLowestLoadAmongEqualShards() {
		List<Shard> candidates = shards( shard( "a", 1 ), shard( "b", 1 ), shard( "c", 1 ) );
		assertThat( placement.choose( "t", TenantTier.SMALL, candidates, Map.of( "a", 5L, "b", 2L, "c", 3L ) ) )
				.isEqualTo( "b" );
		assertThat( placement.choose( "t", TenantTier.SMALL, candidates, Map.of( "a", 5L, "b", 7L, "c", 3L ) ) )
				.isEqualTo( "c" );
	}

	@Test
	void anAbsentLoadIsZero() {
		List<Shard> candidates = shards( shard( "a", 1 ), shard( "b", 1 ) );
		assertThat( placement.choose( "t", TenantTier.SMALL, candidates, Map.of( "a", 1L ) ) ).isEqualTo( "b" );
		assertThat( placement.choose( "t", TenantTier.SMALL, candidates, Map.of( "b", 1L ) ) ).isEqualTo( "a" );
	}

	@Test
	void loadIsWeighedAgainstCapacity() {
		// a: (3 + 1) / 1 = 4; b: (8 + 1) / 4 = 2.25: b, despite the higher raw load
		List<Shard> candidates = shards( shard( "a", 1 ), shard( "b", 4 ) );
		assertThat( placement.choose( "t", TenantTier.SMALL, candidates, Map.of( "a", 3L, "b", 8L ) ) ).isEqualTo( "b" );
		// a: 1 / 1 = 1; b: 5 / 4 = 1.25: a
		assertThat( placement.choose( "t", TenantTier.SMALL, candidates, Map.of( "a", 0L, "b", 4L ) ) ).isEqualTo( "a" );
	}

	@Test
	void tiesGoToTheFirstNameWhateverTheCandidateOrder() {
		List<Shard> reversed = shards( shard( "c", 2 ), shard( "b", 1 ), shard( "a", 1 ) );
		// all (0 + 1) / 1 = 1 except c: 1 / 2: c
		assertThat( placement.choose( "t", TenantTier.SMALL, reversed, Map.of() ) ).isEqualTo( "c" );
		// c: (1 + 1) / 2 = 1 ties with a and b: a
		assertThat( placement.choose( "t", TenantTier.SMALL, reversed, Map.of( "c", 1L ) ) ).isEqualTo( "a" );
		assertThat( placement.choose( "t", TenantTier.SMALL, reversed, Map.of( "c", 1L, "a", 1L ) ) ).isEqualTo( "b" );
	}

	@Test
	void theTierWeightMatters() {
		// a (weight 1, load 0) and b (weight 2, load 2)
		List<Shard> candidates = shards( shard( "a", 1 ), shard( "b", 2 ) );
		Map<String, Long> loads = Map.of( "b", 2L );
		// SMALL: a (0 + 1) / 1 = 1 < b (2 + 1) / 2 = 1.5
		assertThat( placement.choose( "t", TenantTier.SMALL, candidates, loads ) ).isEqualTo( "a" );
		// MEDIUM: a 4 / 1 = 4 > b 6 / 2 = 3
		assertThat( placement.choose( "t", TenantTier.MEDIUM, candidates, loads ) ).isEqualTo( "b" );
		// LARGE: a 16 / 1 = 16 > b 18 / 2 = 9
		assertThat( placement.choose( "t", TenantTier.LARGE, candidates, loads ) ).isEqualTo( "b" );
	}

	@Test
	void placingTenantsOneByOneFillsShardsInProportionToCapacity() {
		List<Shard> candidates = shards( shard( "a", 1 ), shard( "b", 2 ), shard( "c", 5 ) );
		Map<String, Long> loads = new HashMap<>();
		TenantTier[] tiers = { TenantTier.SMALL, TenantTier.MEDIUM, TenantTier.SMALL, TenantTier.LARGE };
		long total = 0;
		for ( int i = 0; i < 800; i++ ) {
			TenantTier tier = tiers[i % tiers.length];
			String chosen = placement.choose( "tenant-" + i, tier, candidates, loads );
			loads.merge( chosen, (long) tier.weight(), Long::sum );
			total += tier.weight();
		}
		// every shard ends within one LARGE tenant of its capacity share
		for ( Shard shard : candidates ) {
			double share = total * shard.capacityWeight() / 8.0;
			assertThat( (double) loads.get( shard.name() ) ).as( "load of %s", shard.name() )
					.isBetween( share - TenantTier.LARGE.weight(), share + TenantTier.LARGE.weight() );
		}
	}

	@Test
	void comparesExactlyWhereDoublesWouldTie() {
		// (2^62 + 1) and (2^62 + 2) are the same double; exactly, a is lower
		long base = 1L << 62;
		List<Shard> candidates = shards( shard( "a", 3 ), shard( "b", 3 ) );
		assertThat( placement.choose( "t", TenantTier.SMALL, candidates, Map.of( "a", base + 1, "b", base ) ) )
				.isEqualTo( "b" );
		assertThat( LeastLoadedPlacement.compareRatios( Long.MAX_VALUE, 7, Long.MAX_VALUE - 1, 7 ) ).isPositive();
		assertThat( LeastLoadedPlacement.compareRatios( Long.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE - 1 ) )
				.isNegative();
		assertThat( LeastLoadedPlacement.compareRatios( 6, 3, 4, 2 ) ).isZero();
		// a huge load saturates instead of overflowing
		assertThat( placement.choose( "t", TenantTier.LARGE, candidates, Map.of( "a", Long.MAX_VALUE, "b", Long.MAX_VALUE - 20 ) ) )
				.isEqualTo( "b" );
	}

	@Test
	void rejectsInvalidArguments() {
		List<Shard> candidates = shards( shard( "a", 1 ) );
		assertThatThrownBy( () -> placement.choose( "t", TenantTier.SMALL, List.of(), Map.of() ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "candidates must contain at least one shard accepting new tenants, but were empty" );
		assertThatThrownBy( () -> placement.choose( "t", null, candidates, Map.of() ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "tier must not be null" );
		assertThatThrownBy( () -> placement.choose( "t", TenantTier.SMALL, candidates, Map.of( "a", -1L ) ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "load of shard 'a' must be 0 or greater, but was -1" );
	}
}
