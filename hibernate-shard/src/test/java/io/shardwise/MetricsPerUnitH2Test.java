package io.shardwise;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.testing.Note;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression: a second factory of the same persistence unit in one JVM (two app instances in one process, as in the
 * demo) had its cache counters ignored by Micrometer because they had the same name and tags as the first one's.
 */
class MetricsPerUnitH2Test {

	@Test
	void secondFactoryOfTheSameUnitCountedIntoTheFirstOnesMeters() {
		String run = UUID.randomUUID().toString().substring( 0, 8 );
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		InMemoryTopologyStore store = new InMemoryTopologyStore();
		store.addShard( Shard.builder( "m1" ).write( "jdbc:h2:mem:m1-" + run + ";DB_CLOSE_DELAY=-1" ).build() );
		store.placeIfAbsent( TenantPlacement.of( "acme", "m1", TenantTier.SMALL ) );
		Map<String, Object> props = new HashMap<>();
		props.put( ShardwiseSettings.TOPOLOGY_STORE, store );
		props.put( ShardwiseSettings.METER_REGISTRY, registry );
		EntityManagerFactory first = Persistence.createEntityManagerFactory( "shardwise-core-test", props );
		EntityManagerFactory second = Persistence.createEntityManagerFactory( "shardwise-core-test", props );
		try {
			for ( int i = 0; i < 3; i++ ) {
				Shardwise.of( second ).readOnly( "acme", em -> em.createQuery( "from Note", Note.class ).getResultList() );
			}
			Shardwise.of( first ).readOnly( "acme", em -> em.createQuery( "from Note", Note.class ).getResultList() );
			assertThat( requests( registry, "shardwise-core-test" ) ).isEqualTo( 1.0 );
			assertThat( requests( registry, "shardwise-core-test-2" ) ).isEqualTo( 3.0 );
		}
		finally {
			second.close();
			first.close();
		}
		assertThat( registry.find( ShardwiseMeters.CACHE_REQUESTS ).meters() ).as( "meters removed at close" ).isEmpty();
	}

	private static double requests(SimpleMeterRegistry registry, String unit) {
		return registry.get( ShardwiseMeters.CACHE_REQUESTS ).tag( ShardwiseMeters.TAG_UNIT, unit ).functionCounter().count();
	}
}
