package io.shardwise.store;

import java.util.List;

import io.shardwise.TopologyException;
import io.shardwise.UnknownShardException;
import io.shardwise.spi.TopologyStore;
import io.shardwise.topology.PlacementStatus;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import org.junit.jupiter.api.Test;

import static io.shardwise.store.StoreFixtures.shard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryTopologyStoreTest extends AbstractTopologyStoreContractTest {

	@Override
	protected TopologyStore newStore() {
		return new InMemoryTopologyStore();
	}

	@Test
	void startsFromAGivenTopologyWithItsVersions() {
		TenantPlacement acme = new TenantPlacement( "acme", "eu-1", TenantTier.LARGE, PlacementStatus.READ_ONLY, 4 );
		try ( InMemoryTopologyStore seeded = new InMemoryTopologyStore( List.of( shard( "eu-2" ), shard( "eu-1" ) ), List.of( acme ) ) ) {
			assertThat( seeded.shards() ).containsExactly( shard( "eu-1" ), shard( "eu-2" ) );
			assertThat( seeded.findPlacement( "acme" ) ).contains( acme );
			assertThat( seeded.replacePlacement( 4, acme.movedTo( "eu-2" ) ) ).isTrue();
		}
	}

	@Test
	void aGivenTopologyMustBeConsistent() {
		assertThatThrownBy( () -> new InMemoryTopologyStore( List.of( shard( "eu-1" ), shard( "eu-1" ) ), List.of() ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "'eu-1' is given twice" );
		assertThatThrownBy( () -> new InMemoryTopologyStore( List.of( shard( "eu-1" ) ),
				List.of( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ), TenantPlacement.of( "acme", "eu-1", TenantTier.LARGE ) ) ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "tenant 'acme' is given twice" );
		assertThatThrownBy( () -> new InMemoryTopologyStore( List.of( shard( "eu-1" ) ),
				List.of( TenantPlacement.of( "acme", "eu-9", TenantTier.SMALL ) ) ) )
				.isInstanceOf( UnknownShardException.class )
				.hasMessageContaining( "'eu-9'" )
				.hasMessageContaining( "known shards: eu-1" );
	}
}
