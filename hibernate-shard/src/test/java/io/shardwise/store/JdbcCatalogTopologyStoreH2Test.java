package io.shardwise.store;

import java.sql.Connection;
import java.util.Map;
import java.util.UUID;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.TopologyException;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.shardwise.store.StoreFixtures.shard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JDBC catalog store on an in-memory H2 database, whose password is given as a {@code ${...}} reference
 * resolved from a system property.
 */
class JdbcCatalogTopologyStoreH2Test extends AbstractJdbcCatalogTopologyStoreTest {
	private static final String DATABASE = ExternalDatabases.uniqueName();
	private static final String PASSWORD_PROPERTY = "SW_TEST_CATALOG_PASSWORD";
	private static final String PASSWORD = "catalog-" + UUID.randomUUID();

	@BeforeAll
	static void definePassword() {
		System.setProperty( PASSWORD_PROPERTY, PASSWORD );
	}

	@AfterAll
	static void clearPassword() {
		System.clearProperty( PASSWORD_PROPERTY );
	}

	@Override
	protected String url() {
		return "jdbc:h2:mem:" + DATABASE + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000";
	}

	@Override
	protected String user() {
		return "sa";
	}

	@Override
	protected String passwordSetting() {
		return "${" + PASSWORD_PROPERTY + "}";
	}

	@Override
	protected String password() {
		return PASSWORD;
	}

	@Test
	void aWrongPasswordFailsWithoutShowingAnyPassword() {
		Map<String, Object> settings = settings( prefix, true );
		settings.put( ShardwiseSettings.CATALOG_PASSWORD, "wrong-" + PASSWORD );

		assertThatThrownBy( () -> JdbcCatalogTopologyStore.create( settings ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "could not connect to the topology catalog jdbc:h2:mem:" + DATABASE )
				.hasMessageContaining( "as user 'sa'" )
				.hasMessageContaining( ShardwiseSettings.CATALOG_PASSWORD )
				.satisfies( this::assertNoPassword )
				.satisfies( e -> assertThat( e.getMessage() ).doesNotContain( "wrong-" ) );
	}

	@Test
	void settingsAreCheckedWithClearMessages() {
		Map<String, Object> noUrl = settings( prefix, true );
		noUrl.remove( ShardwiseSettings.CATALOG_URL );
		assertThatThrownBy( () -> JdbcCatalogTopologyStore.create( noUrl ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "property 'shardwise.catalog.url' must be set, but was missing" );

		Map<String, Object> badUrl = settings( prefix, true );
		badUrl.put( ShardwiseSettings.CATALOG_URL, "postgresql://db/catalog?password=" + PASSWORD );
		assertThatThrownBy( () -> JdbcCatalogTopologyStore.create( badUrl ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "must be a JDBC URL starting with 'jdbc:'" )
				.satisfies( this::assertNoPassword );

		Map<String, Object> badPrefix = settings( "x; drop table y", true );
		assertThatThrownBy( () -> JdbcCatalogTopologyStore.create( badPrefix ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "property 'shardwise.catalog.table-prefix' must be a letter followed by up to 39 letters, digits or '_', but was 'x; drop table y'" );

		Map<String, Object> unsetReference = settings( prefix, true );
		unsetReference.put( ShardwiseSettings.CATALOG_PASSWORD, "${SW_TEST_NOT_SET_ANYWHERE}" );
		assertThatThrownBy( () -> JdbcCatalogTopologyStore.create( unsetReference ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "property 'shardwise.catalog.password' cannot be used" )
				.hasMessageContaining( "${SW_TEST_NOT_SET_ANYWHERE} is not set" );
	}

	@Test
	void aDataSourceHandedInStaysOpen() throws Exception {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL( url() );
		dataSource.setUser( user() );
		dataSource.setPassword( PASSWORD );

		try ( JdbcCatalogTopologyStore plain = new JdbcCatalogTopologyStore( dataSource, "plain_", true ) ) {
			plain.addShard( shard( "eu-1" ) );
			plain.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) );
			assertThat( plain.catalogUrl() ).startsWith( "jdbc:h2:mem:" + DATABASE );
		}
		try ( Connection c = dataSource.getConnection() ) {
			assertThat( c.isValid( 0 ) ).isTrue();
		}
		try ( JdbcCatalogTopologyStore again = new JdbcCatalogTopologyStore( dataSource, "plain_", false ) ) {
			assertThat( again.findPlacement( "acme" ) ).contains( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) );
		}
		assertThatThrownBy( () -> new JdbcCatalogTopologyStore( dataSource, "1bad", true ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessageContaining( "table prefix must be empty or a letter followed by up to 39 letters, digits or '_', but was '1bad'" );
	}
}
