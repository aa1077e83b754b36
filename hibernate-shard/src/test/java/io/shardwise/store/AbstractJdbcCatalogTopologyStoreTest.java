package io.shardwise.store;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.shardwise.ShardwiseSettings;
import io.shardwise.TopologyException;
import io.shardwise.spi.TopologyChange;
import io.shardwise.spi.TopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.shardwise.store.StoreFixtures.LITERAL_PASSWORD;
import static io.shardwise.store.StoreFixtures.fullShard;
import static io.shardwise.store.StoreFixtures.shard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JDBC catalog store against one database: the store contract plus tables, durability, bulk reads and error
 * reporting. Each test works on its own set of tables (a unique table prefix) in the database of its subclass.
 */
abstract class AbstractJdbcCatalogTopologyStoreTest extends AbstractTopologyStoreContractTest {
	private static final AtomicInteger TABLE_SETS = new AtomicInteger();

	private final List<TopologyStore> opened = new ArrayList<>();
	/** The table prefix of the current test. */
	protected String prefix;

	/** The JDBC URL of the catalog database. */
	protected abstract String url();

	protected abstract String user();

	/** The password as given in the settings (a literal or a reference). */
	protected abstract String passwordSetting();

	/** The password itself. */
	protected abstract String password();

	/** Skips (or fails) the test when the database cannot be reached; nothing to check by default. */
	protected void requireDatabase() {
	}

	@Override
	protected TopologyStore newStore() {
		requireDatabase();
		prefix = "t" + TABLE_SETS.incrementAndGet() + "_";
		return open( prefix, true );
	}

	@AfterEach
	void closeOpenedStores() {
		opened.forEach( TopologyStore::close );
	}

	protected Map<String, Object> settings(String tablePrefix, boolean createTables) {
		Map<String, Object> settings = new HashMap<>();
		settings.put( ShardwiseSettings.CATALOG_URL, url() );
		settings.put( ShardwiseSettings.CATALOG_USER, user() );
		settings.put( ShardwiseSettings.CATALOG_PASSWORD, passwordSetting() );
		settings.put( ShardwiseSettings.CATALOG_TABLE_PREFIX, tablePrefix );
		settings.put( ShardwiseSettings.CATALOG_CREATE_TABLES, String.valueOf( createTables ) );
		settings.put( ShardwiseSettings.CATALOG_POOL_SIZE, "8" );
		return settings;
	}

	protected JdbcCatalogTopologyStore open(String tablePrefix, boolean createTables) {
		JdbcCatalogTopologyStore jdbc = JdbcCatalogTopologyStore.create( settings( tablePrefix, createTables ) );
		opened.add( jdbc );
		return jdbc;
	}

	protected Connection connect() throws SQLException {
		return DriverManager.getConnection( url(), user(), password() );
	}

	@Test
	void createsItsTablesAndTheShardIndexOnce() throws SQLException {
		store.addShard( shard( "eu-1" ) );

		try ( JdbcCatalogTopologyStore again = open( prefix, false ) ) {
			assertThat( again.shards() ).containsExactly( shard( "eu-1" ) );
			assertThat( again.tablePrefix() ).isEqualTo( prefix );
		}
		try ( JdbcCatalogTopologyStore createAgain = open( prefix, true ) ) {
			assertThat( createAgain.shards() ).containsExactly( shard( "eu-1" ) );
		}
		try ( Connection c = connect() ) {
			DatabaseMetaData metaData = c.getMetaData();
			List<String> indexes = new ArrayList<>();
			String table = metaData.storesUpperCaseIdentifiers() ? ( prefix + "tenant" ).toUpperCase( Locale.ROOT ) : prefix + "tenant";
			try ( ResultSet rs = metaData.getIndexInfo( c.getCatalog(), c.getSchema(), table, false, false ) ) {
				while ( rs.next() ) {
					indexes.add( String.valueOf( rs.getString( "INDEX_NAME" ) ).toLowerCase( Locale.ROOT ) );
				}
			}
			assertThat( indexes ).contains( prefix + "tenant_shard_idx" );
		}
	}

	@Test
	void missingTablesAreAnErrorWhenNotToBeCreated() {
		assertThatThrownBy( () -> open( "absent_", false ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "must have the tables absent_shard and absent_tenant, but absent_shard is missing" )
				.hasMessageContaining( ShardwiseSettings.CATALOG_CREATE_TABLES + "=true" );
	}

	@Test
	void theDatabaseReportsKeyConflictsAsIntegrityViolations() throws SQLException {
		store.addShard( shard( "eu-1" ) );
		String insert = "insert into " + prefix + "tenant (tenant_id, shard_name, tier, status, version, updated_at)"
				+ " values (?, ?, 'SMALL', 'ACTIVE', 1, current_timestamp)";
		try ( Connection c = connect(); PreparedStatement ps = c.prepareStatement( insert ) ) {
			ps.setString( 1, "acme" );
			ps.setString( 2, "eu-1" );
			ps.executeUpdate();
			// what placeIfAbsent relies on: a duplicate key and a missing shard are SQLState class 23
			SQLException duplicate = org.assertj.core.api.Assertions.catchThrowableOfType( SQLException.class, ps::executeUpdate );
			assertThat( JdbcCatalogTopologyStore.isIntegrityViolation( duplicate ) ).as( duplicate.getSQLState() ).isTrue();
			ps.setString( 1, "globex" );
			ps.setString( 2, "no-such-shard" );
			SQLException orphan = org.assertj.core.api.Assertions.catchThrowableOfType( SQLException.class, ps::executeUpdate );
			assertThat( JdbcCatalogTopologyStore.isIntegrityViolation( orphan ) ).as( orphan.getSQLState() ).isTrue();
		}
		assertThat( store.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.LARGE ) ) )
				.isEqualTo( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) );
		assertThat( store.findPlacement( "globex" ) ).isEmpty();
	}

	@Test
	void theTopologySurvivesANewStoreInstance() {
		Shard eu1 = fullShard( "eu-1" );
		store.addShard( eu1 );
		store.addShard( shard( "eu-2" ) );
		TenantPlacement acme = store.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.LARGE ) );
		store.placeIfAbsent( TenantPlacement.of( "globex", "eu-2", TenantTier.SMALL ) );
		TenantPlacement moved = acme.movedTo( "eu-2" );
		store.replacePlacement( 1, moved );
		List<Shard> shards = store.shards();
		List<TenantPlacement> placements = store.placements();
		store.close();

		try ( JdbcCatalogTopologyStore reopened = open( prefix, true ) ) {
			assertThat( reopened.shards() ).containsExactlyElementsOf( shards ).contains( eu1 );
			assertThat( reopened.placements() ).containsExactlyElementsOf( placements ).contains( moved );
			assertThat( reopened.loadByShard() ).containsEntry( "eu-2", 17L ).doesNotContainKey( "eu-1" );
			// the version moved on: a writer holding version 1 loses in any instance
			assertThat( reopened.replacePlacement( 1, acme.withTier( TenantTier.SMALL ) ) ).isFalse();
			assertThat( reopened.replacePlacement( 2, moved.withTier( TenantTier.SMALL ) ) ).isTrue();
		}
	}

	@Test
	void twoInstancesCompareAndSetOnTheSameRows() {
		store.addShard( shard( "eu-1" ) );
		store.addShard( shard( "eu-2" ) );
		TenantPlacement v1 = store.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) );
		List<TopologyChange> heardByOther = new ArrayList<>();
		try ( JdbcCatalogTopologyStore other = open( prefix, true ) ) {
			other.subscribe( heardByOther::add );

			assertThat( store.replacePlacement( 1, v1.movedTo( "eu-2" ) ) ).isTrue();
			assertThat( other.replacePlacement( 1, v1.withStatus( io.shardwise.topology.PlacementStatus.SUSPENDED ) ) ).isFalse();
			assertThat( other.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.LARGE ) ) ).isEqualTo( v1.movedTo( "eu-2" ) );
			assertThat( heardByOther ).as( "only changes made through an instance are reported by it" ).isEmpty();
		}
	}

	@Test
	void bulkReadsForCacheLoaders() {
		store.addShard( shard( "eu-1" ) );
		List<String> ids = new ArrayList<>();
		for ( int i = 0; i < 510; i++ ) {
			String id = String.format( "tenant-%04d", i );
			ids.add( id );
			store.placeIfAbsent( TenantPlacement.of( id, "eu-1", TenantTier.SMALL ) );
		}
		JdbcCatalogTopologyStore jdbc = (JdbcCatalogTopologyStore) store;

		assertThat( jdbc.tenantIds() ).containsExactlyElementsOf( ids );
		List<String> wanted = new ArrayList<>( ids.subList( 3, 508 ) );
		wanted.add( "not-placed" );
		Map<String, TenantPlacement> found = jdbc.findPlacements( wanted );
		assertThat( found ).hasSize( 505 ).doesNotContainKey( "not-placed" );
		assertThat( found.get( "tenant-0507" ) ).isEqualTo( TenantPlacement.of( "tenant-0507", "eu-1", TenantTier.SMALL ) );
		assertThat( jdbc.findPlacements( List.of() ) ).isEmpty();
		assertThat( jdbc.loadByShard() ).containsOnlyKeys( "eu-1" ).containsEntry( "eu-1", 510L );
	}

	@Test
	void secretsAreStoredInRawForm() throws SQLException {
		System.setProperty( "SW_TEST_EU_1_PASSWORD", "resolved-only-when-connecting" );
		try {
			store.addShard( fullShard( "eu-1" ) );
			String definition;
			try ( Connection c = connect();
					PreparedStatement ps = c.prepareStatement( "select definition from " + prefix + "shard where name = ?" ) ) {
				ps.setString( 1, "eu-1" );
				try ( ResultSet rs = ps.executeQuery() ) {
					assertThat( rs.next() ).isTrue();
					definition = rs.getString( 1 );
				}
			}
			assertThat( definition ).contains( "\"${SW_TEST_EU_1_PASSWORD}\"" ).doesNotContain( "resolved-only-when-connecting" );
			assertThat( store.findShard( "eu-1" ).orElseThrow().credentials().password().reveal() )
					.isEqualTo( "resolved-only-when-connecting" );
		}
		finally {
			System.clearProperty( "SW_TEST_EU_1_PASSWORD" );
		}
	}

	@Test
	void sqlErrorsNameTheOperationTheTenantAndTheCatalog() throws SQLException {
		store.addShard( shard( "eu-1" ) );
		try ( Connection c = connect(); Statement s = c.createStatement() ) {
			s.execute( "drop table " + prefix + "tenant" );
		}
		JdbcCatalogTopologyStore jdbc = (JdbcCatalogTopologyStore) store;

		assertThatThrownBy( () -> store.findPlacement( "acme" ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "could not read the placement of tenant 'acme' in the topology catalog " + jdbc.catalogUrl() )
				.hasMessageContaining( "[SQLState " )
				.satisfies( this::assertNoPassword );
		assertThatThrownBy( () -> store.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "could not place tenant 'acme' on shard 'eu-1' in the topology catalog" )
				.satisfies( this::assertNoPassword );
	}

	@Test
	void aCorruptDefinitionIsReportedWithoutItsContent() throws SQLException {
		store.addShard( shard( "eu-1" ) );
		try ( Connection c = connect();
				PreparedStatement ps = c.prepareStatement( "update " + prefix + "shard set definition = ? where name = ?" ) ) {
			ps.setString( 1, "{\"write\": {\"url\": \"jdbc:x\", \"password\": \"" + LITERAL_PASSWORD + "\"} oops" );
			ps.setString( 2, "eu-1" );
			assertThat( ps.executeUpdate() ).isEqualTo( 1 );
		}

		assertThatThrownBy( () -> store.shards() )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "has an invalid definition in " + prefix + "shard for shard 'eu-1'" )
				.hasMessageContaining( "not valid JSON at line 1" )
				.satisfies( this::assertNoPassword );
	}

	@Test
	void toStringNamesTheCatalogButNoPassword() {
		store.addShard( fullShard( "eu-1" ) );
		JdbcCatalogTopologyStore jdbc = (JdbcCatalogTopologyStore) store;
		assertThat( jdbc.toString() ).contains( jdbc.catalogUrl() ).contains( prefix + "shard" );
		assertThat( jdbc.toString() + jdbc.shards() ).doesNotContain( LITERAL_PASSWORD );
		if ( !password().isEmpty() ) {
			assertThat( jdbc.toString() ).doesNotContain( password() );
		}
	}

	@Test
	void aClosedStoreRefusesWork() {
		store.close();
		assertThatThrownBy( () -> store.findPlacement( "acme" ) )
				.isInstanceOf( IllegalStateException.class )
				.hasMessageContaining( "store must be open, but was closed" );
	}

	protected void assertNoPassword(Throwable e) {
		for ( Throwable t = e; t != null; t = t.getCause() ) {
			assertThat( String.valueOf( t.getMessage() ) ).doesNotContain( LITERAL_PASSWORD );
			if ( !password().isEmpty() ) {
				assertThat( String.valueOf( t.getMessage() ) ).doesNotContain( password() );
			}
		}
	}
}
