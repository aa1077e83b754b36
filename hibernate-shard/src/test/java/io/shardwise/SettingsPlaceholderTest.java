package io.shardwise;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.testing.Note;
import io.shardwise.topology.Secret;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression: Shardwise settings with {@code ${...}} placeholders in persistence.xml. Hibernate resolves
 * placeholders in settings from system properties only, and drops a setting it cannot resolve; Shardwise's service
 * contributor sees the settings before that. So a catalog password given as a reference to an environment variable
 * (as documented) reached the catalog store as no password at all, and {@code shardwise.tenant.default} was taken
 * literally, placeholder and all.
 */
class SettingsPlaceholderTest {
	private final String run = UUID.randomUUID().toString().substring( 0, 8 );
	private final String catalogUrl = "jdbc:h2:mem:placeholder-catalog-" + run + ";DB_CLOSE_DELAY=-1";
	private final String shardUrl = "jdbc:h2:mem:placeholder-shard-" + run + ";DB_CLOSE_DELAY=-1";
	private Connection keepCatalog;
	private EntityManagerFactory emf;

	/** A catalog database whose user {@code sa} has {@code password}, holding one shard. */
	private void catalogWithPassword(String password) throws SQLException {
		keepCatalog = DriverManager.getConnection( catalogUrl, "sa", password );
		try ( JdbcCatalogTopologyStore store = JdbcCatalogTopologyStore.create( Map.of( ShardwiseSettings.CATALOG_URL, catalogUrl,
				ShardwiseSettings.CATALOG_USER, "sa", ShardwiseSettings.CATALOG_PASSWORD, Secret.of( password ) ) ) ) {
			store.addShard( Shard.builder( "only" ).write( shardUrl ).build() );
			store.placeIfAbsent( TenantPlacement.of( "fallback", "only", TenantTier.SMALL ) );
		}
	}

	private EntityManagerFactory boot(Map<String, Object> extra) {
		Map<String, Object> props = new HashMap<>( extra );
		props.put( ShardwiseSettings.TOPOLOGY_STORE, "jdbc" );
		props.put( ShardwiseSettings.CATALOG_URL, catalogUrl );
		props.put( ShardwiseSettings.CATALOG_USER, "sa" );
		emf = Persistence.createEntityManagerFactory( "shardwise-core-test", props );
		return emf;
	}

	@BeforeEach
	@AfterEach
	void cleanUp() throws SQLException {
		if ( emf != null ) {
			emf.close();
			emf = null;
		}
		if ( keepCatalog != null ) {
			keepCatalog.close();
			keepCatalog = null;
		}
	}

	@Test
	void catalogPasswordReferencingAnEnvironmentVariableWasDroppedByHibernate() throws SQLException {
		// an environment variable every process has; the test cannot set one of its own
		String fromEnvironment = System.getenv( "PATH" );
		assertThat( fromEnvironment ).as( "environment variable PATH" ).isNotBlank();
		catalogWithPassword( fromEnvironment );
		boot( Map.of( ShardwiseSettings.CATALOG_PASSWORD, "${PATH}" ) );
		assertThat( Shardwise.of( emf ).shards() ).extracting( Shard::name ).containsExactly( "only" );
	}

	@Test
	void catalogPasswordReferenceWithADefaultWasDroppedByHibernate() throws SQLException {
		catalogWithPassword( "catalog-default-" + run );
		boot( Map.of( ShardwiseSettings.CATALOG_PASSWORD, "${SW_TEST_UNSET_" + run + ":catalog-default-" + run + "}" ) );
		assertThat( Shardwise.of( emf ).shards() ).extracting( Shard::name ).containsExactly( "only" );
	}

	@Test
	void defaultTenantPlaceholderWasTakenLiterally() throws SQLException {
		catalogWithPassword( "" );
		String property = "sw.test.default-tenant." + run;
		System.setProperty( property, "fallback" );
		try {
			boot( Map.of( ShardwiseSettings.DEFAULT_TENANT, "${" + property + "}" ) );
		}
		finally {
			System.clearProperty( property );
		}
		EntityManager em = emf.createEntityManager();
		em.getTransaction().begin();
		em.persist( new Note( "written without a tenant in context" ) );
		em.getTransaction().commit();
		List<String> owners = em.createQuery( "select n.tenantId from Note n", String.class ).getResultList();
		em.close();
		assertThat( owners ).containsExactly( "fallback" );
	}
}
