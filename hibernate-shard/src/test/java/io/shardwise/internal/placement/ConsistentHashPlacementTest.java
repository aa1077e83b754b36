package io.shardwise.internal.placement;

import static io.shardwise.internal.placement.PlacementTestData.shard;
import static io.shardwise.internal.placement.PlacementTestData.shards;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantTier;

/**
 * The consistent-hash strategy: answers equal the ring's, the ring is cached per candidate set and rebuilt when the
 * candidates change.
 */
class ConsistentHashPlacementTest {

	private static final List<Shard> THREE = shards( shard( "s1", 1 ), shard( "s2", 2 ), shard( "s3", 1 ) );

	@Test
	void answersAreThoseOfTheRingOverTheCandidates() {
		ConsistentHashPlacement placement = new ConsistentHashPlacement( 64 );
		ConsistentHashRing expected = ConsistentHashRing.of( Map.of( "s1", 1, "s2", 2, "s3", 1 ), 64 );
		for ( String tenant : PlacementTestData.sequentialTenantIds() ) {
			assertThat( placement.choose( tenant, TenantTier.SMALL, THREE, Map.of() ) ).isEqualTo( expected.shardFor( tenant ) );
		}
	}

	@Test
	void tierAndLoadDoNotMatter() {
		ConsistentHashPlacement placement = new ConsistentHashPlacement();
		String small = placement.choose( "acme", TenantTier.SMALL, THREE, Map.of() );
		assertThat( placement.choose( "acme", TenantTier.LARGE, THREE, Map.of( small, 1_000_000L ) ) ).isEqualTo( small );
	}

	@Test
	void defaultConstructorUsesTheDefaultVirtualNodes() {
		assertThat( new ConsistentHashPlacement().virtualNodes() ).isEqualTo( ConsistentHashRing.DEFAULT_VIRTUAL_NODES );
		assertThat( new ConsistentHashPlacement().ring( THREE ).virtualNodes() )
				.isEqualTo( ConsistentHashRing.DEFAULT_VIRTUAL_NODES );
	}

	@Test
	void theRingIsReusedForTheSameCandidates() {
		ConsistentHashPlacement placement = new ConsistentHashPlacement( 32 );
		ConsistentHashRing first = placement.ring( THREE );
		// equal candidates in new instances (e.g. re-read from the topology store) still hit the cache
		List<Shard> copies = shards( shard( "s1", 1 ), shard( "s2", 2 ), shard( "s3", 1 ) );
		assertThat( placement.ring( copies ) ).isSameAs( first );
		placement.choose( "t", TenantTier.SMALL, copies, Map.of() );
		assertThat( placement.ring( THREE ) ).isSameAs( first );
	}

	@Test
	void theRingIsRebuiltWhenCandidatesChange() {
		ConsistentHashPlacement placement = new ConsistentHashPlacement( 32 );
		ConsistentHashRing first = placement.ring( THREE );

		List<Shard> reweighted = shards( shard( "s1", 1 ), shard( "s2", 3 ), shard( "s3", 1 ) );
		ConsistentHashRing second = placement.ring( reweighted );
		assertThat( second ).isNotSameAs( first );
		assertThat( second.weights() ).containsEntry( "s2", 3 );

		List<Shard> added = new ArrayList<>( reweighted );
		added.add( shard( "s4", 1 ) );
		ConsistentHashRing third = placement.ring( added );
		assertThat( third ).isNotSameAs( second );
		assertThat( third.shardNames() ).containsExactly( "s1", "s2", "s3", "s4" );

		List<Shard> renamed = shards( shard( "s1", 1 ), shard( "s2", 3 ), shard( "s3", 1 ), shard( "s5", 1 ) );
		assertThat( placement.ring( renamed ).shardNames() ).containsExactly( "s1", "s2", "s3", "s5" );

		// back to the first set: rebuilt (only the last set is cached), with the same answers
		ConsistentHashRing again = placement.ring( THREE );
		assertThat( again ).isNotSameAs( first );
		for ( String tenant : new String[] { "a", "b", "c", "tenant-42" } ) {
			assertThat( again.shardFor( tenant ) ).isEqualTo( first.shardFor( tenant ) );
		}
	}

	@Test
	void rejectsInvalidArguments() {
		ConsistentHashPlacement placement = new ConsistentHashPlacement();
		assertThatThrownBy( () -> placement.choose( "t", TenantTier.SMALL, List.of(), Map.of() ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "candidates must contain at least one shard accepting new tenants, but were empty" );
		assertThatThrownBy( () -> placement.choose( null, TenantTier.SMALL, THREE, Map.of() ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "tenant id must not be null" );
		assertThatThrownBy( () -> placement.choose( "t", TenantTier.SMALL, shards( shard( "s1", 1 ), shard( "s1", 2 ) ), Map.of() ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "candidates must have distinct names, but 's1' appears more than once" );
		assertThatThrownBy( () -> new ConsistentHashPlacement( 0 ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessage( "virtual nodes must be greater than 0, but was 0" );
	}
}
