package io.shardwise;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import org.junit.jupiter.api.Test;

import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.testing.Note;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The two switches that change what happens to a session without a known tenant: a configured default tenant, and
 * auto-provisioning of unknown tenants.
 */
class DefaultTenantAndAutoProvisionH2Test {
	private final String run = UUID.randomUUID().toString().substring( 0, 8 );

	private EntityManagerFactory boot(InMemoryTopologyStore store, Map<String, Object> extra) {
		Map<String, Object> props = new HashMap<>( extra );
		props.put( ShardwiseSettings.TOPOLOGY_STORE, store );
		return Persistence.createEntityManagerFactory( "shardwise-core-test", props );
	}

	private InMemoryTopologyStore twoShards() {
		InMemoryTopologyStore store = new InMemoryTopologyStore();
		store.addShard( Shard.builder( "a" ).write( "jdbc:h2:mem:a-" + run + ";DB_CLOSE_DELAY=-1" ).build() );
		store.addShard( Shard.builder( "b" ).write( "jdbc:h2:mem:b-" + run + ";DB_CLOSE_DELAY=-1" ).build() );
		return store;
	}

	@Test
	void sessionsWithoutTenantUseTheConfiguredDefaultTenant() {
		InMemoryTopologyStore store = twoShards();
		store.placeIfAbsent( TenantPlacement.of( "public", "b", TenantTier.SMALL ) );
		EntityManagerFactory emf = boot( store, Map.of( ShardwiseSettings.DEFAULT_TENANT, "public" ) );
		try {
			EntityManager em = emf.createEntityManager();
			em.getTransaction().begin();
			em.persist( new Note( "written without a tenant in context" ) );
			em.getTransaction().commit();
			em.close();
			EntityManager check = emf.createEntityManager( Map.of( "org.hibernate.tenantId", "public" ) );
			assertThat( check.createQuery( "from Note", Note.class ).getResultList() )
					.extracting( Note::getTenantId ).containsExactly( "public" );
			check.close();
		}
		finally {
			emf.close();
		}
	}

	@Test
	void invalidDefaultTenantFailsBootAsAConfigurationError() {
		InMemoryTopologyStore store = twoShards();
		assertThatThrownBy( () -> boot( store, Map.of( ShardwiseSettings.DEFAULT_TENANT, "tab\there" ) ).close() )
				.satisfies( e -> assertThat( RoutingH2Test.rootOfType( e, ShardwiseConfigurationException.class ) )
						.hasMessageContaining( "'shardwise.tenant.default' is not a valid tenant id" )
						.hasMessageContaining( "control characters" ) );
	}

	@Test
	void autoProvisioningPlacesUnknownTenantsOnFirstUseWithTheDefaultTier() {
		InMemoryTopologyStore store = twoShards();
		EntityManagerFactory emf = boot( store, Map.of( ShardwiseSettings.AUTO_PROVISION, "true",
				ShardwiseSettings.PROVISIONING_DEFAULT_TIER, "MEDIUM" ) );
		try {
			assertThat( store.findPlacement( "fresh" ) ).isEmpty();
			TenantContext.run( "fresh", () -> {
				EntityManager em = emf.createEntityManager();
				em.getTransaction().begin();
				em.persist( new Note( "hello" ) );
				em.getTransaction().commit();
				em.close();
			} );
			TenantPlacement placed = store.findPlacement( "fresh" ).orElseThrow();
			assertThat( placed.tier() ).isEqualTo( TenantTier.MEDIUM );
			assertThat( placed.version() ).isEqualTo( 1 );
			// the placement never changes because a shard was added
			store.addShard( Shard.builder( "c" ).write( "jdbc:h2:mem:c-" + run + ";DB_CLOSE_DELAY=-1" ).build() );
			Shardwise.of( emf ).invalidateRoutes( null );
			assertThat( Shardwise.of( emf ).placement( "fresh" ) ).contains( placed );
		}
		finally {
			emf.close();
		}
	}
}
