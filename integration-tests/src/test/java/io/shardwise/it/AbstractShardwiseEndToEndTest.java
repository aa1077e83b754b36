package io.shardwise.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import io.shardwise.MalformedTenantIdException;
import io.shardwise.NoTenantInContextException;
import io.shardwise.ShardOfflineException;
import io.shardwise.Shardwise;
import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.TenantContext;
import io.shardwise.TopologyException;
import io.shardwise.UnknownShardException;
import io.shardwise.UnknownTenantException;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.DbHandle;
import io.shardwise.it.fixtures.ShardDatabases;
import io.shardwise.it.model.Invoice;
import io.shardwise.spi.TopologyStore;
import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.topology.Credentials;
import io.shardwise.topology.Endpoint;
import io.shardwise.topology.PoolSettings;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The end-to-end scenarios of Shardwise, run by one subclass per database kind against real databases: a JPA
 * application configured only through {@code META-INF/persistence.xml} (unit {@code it-catalog}, JDBC catalog
 * topology store) routes every tenant to the shard its placement names, tenants sharing a shard never see each
 * other's rows, read-only sessions are served by a replica, the schema reaches every shard (also one added later),
 * every bad input gets its specific error, and no session without a tenant reaches a shard. The topology file store
 * (unit {@code it-file}) is covered as well.
 * <p>
 * Every database is created by {@link ShardDatabases} with a unique name and dropped afterwards: three shards
 * ({@code s1}..{@code s3}, {@code s1} with a replica that is a database of its own), a shard added at runtime
 * ({@code s4}), the catalog, a shard reached with a password-protected user, and three shards of the file topology.
 * The results are read back over plain JDBC, not through Shardwise.
 * <p>
 * The scenarios share one {@code EntityManagerFactory} and topology; each uses tenants of its own and puts back
 * any shard status it changes, so they do not depend on their order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractShardwiseEndToEndTest {
	static final String TENANT_HINT = "org.hibernate.tenantId";
	private static final int SHARD_1 = 0;
	private static final int SHARD_2 = 1;
	private static final int SHARD_3 = 2;
	private static final int REPLICA_OF_SHARD_1 = 3;
	private static final int LATER_SHARD = 4;
	private static final int CATALOG = 5;
	private static final int SECURED_SHARD = 6;
	private static final int FIRST_FILE_SHARD = 7;
	private static final int DATABASES = 10;

	private final DatabaseKind kind;
	private ShardDatabases databases;
	/** Another user of the catalog (an operator's tool, another application instance): the test's own view of it. */
	private JdbcCatalogTopologyStore catalog;
	private EntityManagerFactory emf;
	private Shardwise shardwise;
	/** Every shard of the catalog topology whose rows the tests check, by shard name. */
	private final Map<String, DbHandle> shardDatabases = new LinkedHashMap<>();
	private final List<String> loginUsers = new ArrayList<>();

	AbstractShardwiseEndToEndTest(DatabaseKind kind) {
		this.kind = kind;
	}

	@BeforeAll
	void createDatabasesCatalogAndApplication() throws SQLException {
		databases = ShardDatabases.create( kind, "sw_e2e", DATABASES );
		DbHandle catalogDb = databases.get( CATALOG );

		// the operator prepares the catalog: the tables, and the three shards (s1 with its replica)
		catalog = JdbcCatalogTopologyStore.create( Map.of( ShardwiseSettings.CATALOG_URL, catalogDb.url(),
				ShardwiseSettings.CATALOG_USER, catalogDb.user(), ShardwiseSettings.CATALOG_PASSWORD, catalogDb.password() ) );
		catalog.addShard( shard( "s1", databases.get( SHARD_1 ) ).addRead( endpoint( databases.get( REPLICA_OF_SHARD_1 ) ) ).build() );
		catalog.addShard( shard( "s2", databases.get( SHARD_2 ) ).build() );
		catalog.addShard( shard( "s3", databases.get( SHARD_3 ) ).build() );
		shardDatabases.put( "s1", databases.get( SHARD_1 ) );
		shardDatabases.put( "s2", databases.get( SHARD_2 ) );
		shardDatabases.put( "s3", databases.get( SHARD_3 ) );
		// the replica is a database of its own (nothing replicates into it): it gets the table by hand
		DirectJdbc.execute( databases.get( REPLICA_OF_SHARD_1 ), DirectJdbc.INVOICE_DDL );

		emf = bootFromPersistenceXml( "it-catalog", Map.of( "it.catalog.url", catalogDb.url(),
				"it.catalog.user", catalogDb.user(), "it.catalog.password", catalogDb.password() ) );
		shardwise = Shardwise.of( emf );
	}

	@AfterAll
	void dropEverything() throws SQLException {
		try {
			if ( emf != null ) {
				emf.close();
			}
			if ( catalog != null ) {
				catalog.close();
			}
		}
		finally {
			if ( databases != null ) {
				databases.close();
				for ( String user : loginUsers ) {
					DirectJdbc.dropLoginUser( databases.server(), user );
				}
			}
		}
	}

	// ------------------------------------------------------------------------------------------------ scenario 1

	@Test
	void applicationConfiguredOnlyByPersistenceXmlWritesEveryTenantToTheShardItsPlacementNames() throws SQLException {
		List<String> tenants = new ArrayList<>();
		for ( int i = 0; i < 240; i++ ) {
			String tenant = String.format( Locale.ROOT, "acme-%03d", i );
			tenants.add( tenant );
			TenantPlacement placed = shardwise.provision( tenant, i % 10 == 0 ? TenantTier.MEDIUM : TenantTier.SMALL );
			assertThat( placed.shard() ).isIn( shardDatabases.keySet() );
		}
		for ( int i = 0; i < tenants.size(); i++ ) {
			String tenant = tenants.get( i );
			if ( i % 2 == 0 ) {
				// the tenant of the thread: TenantContext, then a plain EntityManager
				TenantContext.run( tenant, () -> inTransaction( emf.createEntityManager(), em -> persistInvoices( em, tenant, 3 ) ) );
			}
			else {
				// the standard JPA way: the tenant as a property of the EntityManager
				inTransaction( emf.createEntityManager( Map.of( TENANT_HINT, tenant ) ), em -> persistInvoices( em, tenant, 3 ) );
			}
		}

		// the placements as the catalog database holds them, read over JDBC
		Map<String, String> placementInCatalog = catalogPlacements( "acme-" );
		assertThat( placementInCatalog ).hasSize( tenants.size() );
		for ( String tenant : tenants ) {
			assertThat( shardwise.placement( tenant ) ).map( TenantPlacement::shard ).contains( placementInCatalog.get( tenant ) );
		}
		// the rows as the shard databases hold them, read over JDBC: tenant -> shard -> rows
		Map<String, Map<String, Long>> found = new TreeMap<>();
		for ( Map.Entry<String, DbHandle> shard : shardDatabases.entrySet() ) {
			DirectJdbc.invoicesByTenant( shard.getValue(), "acme-" ).forEach( (tenant, rows) ->
					found.computeIfAbsent( tenant, t -> new TreeMap<>() ).put( shard.getKey(), rows ) );
		}
		Map<String, Map<String, Long>> expected = new TreeMap<>();
		tenants.forEach( t -> expected.put( t, Map.of( placementInCatalog.get( t ), 3L ) ) );
		assertThat( found ).isEqualTo( expected );
		assertThat( placementInCatalog.values() ).as( "tenants per shard" ).contains( "s1", "s2", "s3" );
	}

	@Test
	void fileTopologyRoutesTenantsToTheirShards(@TempDir Path dir) throws IOException, SQLException {
		Map<String, DbHandle> fileShards = new LinkedHashMap<>();
		for ( int i = 0; i < 3; i++ ) {
			fileShards.put( "f" + ( i + 1 ), databases.get( FIRST_FILE_SHARD + i ) );
		}
		StringBuilder yaml = new StringBuilder( "# written by " + getClass().getSimpleName() + "\nshards:\n" );
		fileShards.forEach( (name, db) -> yaml.append( "  - name: " ).append( name ).append( "\n" )
				.append( "    write: \"" ).append( db.url() ).append( "\"\n" )
				.append( "    credentials: { username: \"" ).append( db.user() ).append( "\"" )
				.append( db.password().isEmpty() ? "" : ", password: \"" + db.password() + "\"" ).append( " }\n" ) );
		yaml.append( "tenants:\n" );
		Map<String, String> listed = new TreeMap<>();
		for ( int i = 0; i < 30; i++ ) {
			String tenant = String.format( Locale.ROOT, "file-%02d", i );
			String shard = "f" + ( i % 3 + 1 );
			listed.put( tenant, shard );
			yaml.append( "  - { id: " ).append( tenant ).append( ", shard: " ).append( shard ).append( " }\n" );
		}
		Path file = Files.writeString( dir.resolve( "topology.yaml" ), yaml, StandardCharsets.UTF_8 );

		EntityManagerFactory fileEmf = bootFromPersistenceXml( "it-file", Map.of( "it.topology.file", file.toString() ) );
		try {
			Shardwise fileShardwise = Shardwise.of( fileEmf );
			assertThat( fileShardwise.shards() ).extracting( Shard::name ).containsExactly( "f1", "f2", "f3" );
			for ( String shard : fileShards.keySet() ) {
				assertThat( DirectJdbc.tables( fileShards.get( shard ) ) ).as( "tables of %s", shard ).contains( "invoice" );
			}
			Map<String, String> expectedShard = new TreeMap<>( listed );
			for ( int i = 0; i < 30; i++ ) {
				String tenant = String.format( Locale.ROOT, "file-new-%02d", i );
				expectedShard.put( tenant, fileShardwise.provision( tenant, TenantTier.SMALL ).shard() );
			}
			expectedShard.forEach( (tenant, shard) -> TenantContext.run( tenant,
					() -> inTransaction( fileEmf.createEntityManager(), em -> persistInvoices( em, tenant, 2 ) ) ) );

			Map<String, Map<String, Long>> found = new TreeMap<>();
			for ( Map.Entry<String, DbHandle> shard : fileShards.entrySet() ) {
				DirectJdbc.invoicesByTenant( shard.getValue(), "file-" ).forEach( (tenant, rows) ->
						found.computeIfAbsent( tenant, t -> new TreeMap<>() ).put( shard.getKey(), rows ) );
			}
			Map<String, Map<String, Long>> expected = new TreeMap<>();
			expectedShard.forEach( (tenant, shard) -> expected.put( tenant, Map.of( shard, 2L ) ) );
			assertThat( found ).isEqualTo( expected );
		}
		finally {
			fileEmf.close();
		}
	}

	// ------------------------------------------------------------------------------------------------ scenario 2

	@Test
	void tenantsSharingAShardNeverSeeEachOthersRows() throws SQLException {
		List<String> shards = List.of( "s1", "s2", "s3" );
		Map<String, List<String>> tenantsByShard = new LinkedHashMap<>();
		Map<String, String> shardOf = new LinkedHashMap<>();
		for ( int i = 0; i < 36; i++ ) {
			String tenant = String.format( Locale.ROOT, "iso-%02d", i );
			String shard = shards.get( i % shards.size() );
			shardwise.store().placeIfAbsent( TenantPlacement.of( tenant, shard, TenantTier.SMALL ) );
			tenantsByShard.computeIfAbsent( shard, s -> new ArrayList<>() ).add( tenant );
			shardOf.put( tenant, shard );
		}
		Map<String, List<Long>> ids = new HashMap<>();
		for ( String tenant : shardOf.keySet() ) {
			inTransaction( emf.createEntityManager( Map.of( TENANT_HINT, tenant ) ), em -> {
				Invoice first = new Invoice( tenant + " #1", 100 );
				Invoice second = new Invoice( tenant + " #2", 200 );
				em.persist( first );
				em.persist( second );
				em.flush();
				ids.put( tenant, List.of( first.getId(), second.getId() ) );
			} );
		}

		for ( String tenant : shardOf.keySet() ) {
			String shard = shardOf.get( tenant );
			List<String> neighbours = tenantsByShard.get( shard );
			String neighbour = neighbours.get( ( neighbours.indexOf( tenant ) + 1 ) % neighbours.size() );
			Long neighboursRow = ids.get( neighbour ).get( 0 );
			// the neighbour's rows are really there, in the same database
			assertThat( DirectJdbc.invoicesByTenant( shardDatabases.get( shard ), neighbour ) ).containsEntry( neighbour, 2L );

			EntityManager em = emf.createEntityManager( Map.of( TENANT_HINT, tenant ) );
			try {
				List<Invoice> all = em.createQuery( "select i from Invoice i order by i.label", Invoice.class ).getResultList();
				assertThat( all ).extracting( Invoice::getLabel ).as( "JPQL list of %s on %s", tenant, shard )
						.containsExactly( tenant + " #1", tenant + " #2" );
				assertThat( all ).extracting( Invoice::getTenantId ).containsOnly( tenant );
				assertThat( em.createQuery( "select count(i) from Invoice i", Long.class ).getSingleResult() )
						.as( "count of %s", tenant ).isEqualTo( 2L );
				assertThat( em.createQuery( "select sum(i.amountCents) from Invoice i", Long.class ).getSingleResult() )
						.isEqualTo( 300L );
				assertThat( em.find( Invoice.class, ids.get( tenant ).get( 1 ) ) ).as( "own row" ).isNotNull();
				assertThat( em.find( Invoice.class, neighboursRow ) ).as( "%s finds %s's row %s", tenant, neighbour, neighboursRow )
						.isNull();
				assertThat( em.createQuery( "select i from Invoice i where i.id = :id", Invoice.class )
						.setParameter( "id", neighboursRow ).getResultList() ).isEmpty();
				assertThat( em.createQuery( "select i from Invoice i where i.tenantId = :other", Invoice.class )
						.setParameter( "other", neighbour ).getResultList() ).isEmpty();
			}
			finally {
				em.close();
			}
		}
	}

	// ------------------------------------------------------------------------------------------------ scenario 3

	@Test
	void readOnlySessionsAreServedByTheReplicaOrElseThePrimary() throws SQLException {
		TopologyStore store = shardwise.store();
		store.placeIfAbsent( TenantPlacement.of( "reader-1", "s1", TenantTier.SMALL ) );
		store.placeIfAbsent( TenantPlacement.of( "reader-2", "s2", TenantTier.SMALL ) );
		inTransaction( emf.createEntityManager( Map.of( TENANT_HINT, "reader-1" ) ), em -> em.persist( new Invoice( "on the primary of s1", 1 ) ) );
		inTransaction( emf.createEntityManager( Map.of( TENANT_HINT, "reader-2" ) ), em -> em.persist( new Invoice( "on the primary of s2", 1 ) ) );
		DbHandle replica = databases.get( REPLICA_OF_SHARD_1 );
		DirectJdbc.insertInvoice( replica, 900_000_001L, "reader-1", "only on the replica" );
		DirectJdbc.insertInvoice( replica, 900_000_002L, "someone-else", "another tenant's row on the replica" );

		String labels = "select i.label from Invoice i order by i.label";
		List<String> readOnly = shardwise.readOnly( "reader-1", em -> em.createQuery( labels, String.class ).getResultList() );
		assertThat( readOnly ).as( "Shardwise.readOnly" ).containsExactly( "only on the replica" );
		try ( Session s = emf.unwrap( SessionFactory.class ).withOptions().tenantIdentifier( (Object) "reader-1" )
				.readOnly( true ).openSession() ) {
			assertThat( s.createQuery( labels, String.class ).getResultList() ).as( "SessionBuilder.readOnly(true)" )
					.containsExactly( "only on the replica" );
		}
		TenantContext.run( "reader-1", () -> {
			EntityManager em = emf.createEntityManager();
			try {
				assertThat( em.createQuery( labels, String.class ).getResultList() ).as( "read-write session" )
						.containsExactly( "on the primary of s1" );
			}
			finally {
				em.close();
			}
		} );
		// s2 has no replica: its read-only sessions use the primary
		List<String> noReplica = shardwise.readOnly( "reader-2", em -> em.createQuery( labels, String.class ).getResultList() );
		assertThat( noReplica ).containsExactly( "on the primary of s2" );
	}

	// ------------------------------------------------------------------------------------------------ scenario 4

	@Test
	void schemaIsOnEveryShardAfterBootAndIsDeployedToAShardAddedLater() throws SQLException {
		for ( String shard : List.of( "s1", "s2", "s3" ) ) {
			assertThat( DirectJdbc.tables( shardDatabases.get( shard ) ) ).as( "tables of %s", shard ).contains( "invoice" );
		}
		assertThat( DirectJdbc.tables( databases.get( CATALOG ) ) ).as( "the catalog is no shard" )
				.contains( "shardwise_shard", "shardwise_tenant" ).doesNotContain( "invoice" );

		DbHandle later = databases.get( LATER_SHARD );
		TopologyStore store = shardwise.store();
		store.addShard( shard( "s4", later ).status( ShardStatus.DRAINING ).build() );
		assertThat( shardwise.shards() ).extracting( Shard::name, Shard::status ).contains( tuple( "s4", ShardStatus.DRAINING ) );
		assertThat( DirectJdbc.tables( later ) ).doesNotContain( "invoice" );
		shardwise.deploySchema( "s4" );
		assertThat( DirectJdbc.tables( later ) ).contains( "invoice" );

		// DRAINING: no new tenants
		for ( int i = 0; i < 40; i++ ) {
			String tenant = String.format( Locale.ROOT, "draining-%02d", i );
			assertThat( shardwise.provision( tenant, TenantTier.SMALL ).shard() ).as( tenant ).isNotEqualTo( "s4" );
		}
		// ACTIVE by compare-and-set: exactly one writer of a version wins
		Shard draining = store.findShard( "s4" ).orElseThrow();
		assertThat( store.replaceShard( draining.version(), draining.next().status( ShardStatus.ACTIVE ).build() ) ).isTrue();
		assertThat( store.replaceShard( draining.version(), draining.next().status( ShardStatus.OFFLINE ).build() ) )
				.as( "a stale compare-and-set" ).isFalse();
		assertThat( catalog.findShard( "s4" ) ).map( Shard::status ).contains( ShardStatus.ACTIVE );
		shardDatabases.put( "s4", later );

		Map<String, String> onLater = new TreeMap<>();
		for ( int i = 0; i < 40; i++ ) {
			String tenant = String.format( Locale.ROOT, "late-%02d", i );
			String shard = shardwise.provision( tenant, TenantTier.SMALL ).shard();
			if ( shard.equals( "s4" ) ) {
				onLater.put( tenant, shard );
			}
		}
		assertThat( onLater ).as( "new tenants placed on s4 once it is ACTIVE" ).isNotEmpty();
		onLater.keySet().forEach( tenant -> TenantContext.run( tenant,
				() -> inTransaction( emf.createEntityManager(), em -> persistInvoices( em, tenant, 2 ) ) ) );
		Map<String, Long> expected = new TreeMap<>();
		onLater.keySet().forEach( t -> expected.put( t, 2L ) );
		assertThat( DirectJdbc.invoicesByTenant( later, "late-" ) ).isEqualTo( expected );
		for ( String shard : List.of( "s1", "s2", "s3" ) ) {
			assertThat( DirectJdbc.invoicesByTenant( shardDatabases.get( shard ), "late-" ) ).doesNotContainKeys(
					onLater.keySet().toArray( String[]::new ) );
		}
	}

	// ------------------------------------------------------------------------------------------------ scenario 5

	@Test
	void malformedTenantIdsAreRejectedNamingTheRuleTheyBreak() throws SQLException {
		Map<String, String> malformed = new LinkedHashMap<>();
		malformed.put( "", "must be a non-blank string, but was ''" );
		malformed.put( "   ", "must be a non-blank string, but was '   '" );
		malformed.put( "x".repeat( 129 ), "must be at most 128 characters, but was 129 characters" );
		malformed.put( "acme\u0000", "must not contain control characters, but 'acme\\u0000' has U+0000 at index 4" );
		malformed.put( "ac\nme", "has U+000A at index 2" );
		malformed.put( " acme", "must not start or end with whitespace" );

		assertThatThrownBy( () -> TenantContext.run( null, () -> {
		} ) ).isInstanceOf( MalformedTenantIdException.class ).hasMessageContaining( "must be a non-blank string, but was null" )
				.hasMessageContaining( "TenantContext.run" );
		assertThatThrownBy( () -> shardwise.openSession( null ) ).isInstanceOf( MalformedTenantIdException.class );
		for ( Map.Entry<String, String> bad : malformed.entrySet() ) {
			String tenant = bad.getKey();
			assertThatThrownBy( () -> TenantContext.run( tenant, () -> inTransaction( emf.createEntityManager(),
					em -> em.persist( new Invoice( "malformed-probe", 1 ) ) ) ) )
					.as( "TenantContext.run(%s)", tenant ).isInstanceOf( MalformedTenantIdException.class )
					.hasMessageContaining( "tenant id" ).hasMessageContaining( bad.getValue() );
			Throwable viaHint = catchThrowable( () -> inTransaction( emf.createEntityManager( Map.of( TENANT_HINT, tenant ) ),
					em -> em.persist( new Invoice( "malformed-probe", 1 ) ) ) );
			assertThat( Causes.find( viaHint, MalformedTenantIdException.class ) ).as( "hint %s", tenant )
					.hasMessageContaining( "tenant id" ).hasMessageContaining( bad.getValue() );
			assertThatThrownBy( () -> shardwise.readOnly( tenant, em -> em.find( Invoice.class, 1L ) ) )
					.isInstanceOf( MalformedTenantIdException.class ).hasMessageContaining( bad.getValue() );
		}
		// a null hint is no tenant at all
		Map<String, Object> nullHint = new HashMap<>();
		nullHint.put( TENANT_HINT, null );
		Throwable viaNullHint = catchThrowable( () -> inTransaction( emf.createEntityManager( nullHint ),
				em -> em.persist( new Invoice( "malformed-probe", 1 ) ) ) );
		assertThat( Causes.find( viaNullHint, NoTenantInContextException.class ) ).hasMessageContaining( TENANT_HINT );
		for ( DbHandle shard : shardDatabases.values() ) {
			assertThat( DirectJdbc.invoicesLabelled( shard, "malformed-probe" ) ).isZero();
		}
	}

	@Test
	void unknownTenantIsNamedWithTheShardsAndHowToProvisionIt() {
		Throwable thrown = catchThrowable( () -> TenantContext.run( "nobody-here", () -> {
			EntityManager em = emf.createEntityManager();
			try {
				em.createQuery( "select i from Invoice i", Invoice.class ).getResultList();
			}
			finally {
				em.close();
			}
		} ) );
		assertThat( Causes.find( thrown, UnknownTenantException.class ) ).hasMessageContaining( "'nobody-here'" )
				.hasMessageContaining( "s1 ACTIVE" ).hasMessageContaining( "s2" ).hasMessageContaining( "s3" )
				.hasMessageContaining( "provision(\"nobody-here\"" ).hasMessageContaining( ShardwiseSettings.AUTO_PROVISION );
		assertThat( shardwise.placement( "nobody-here" ) ).as( "no placement was made up" ).isEmpty();
	}

	@Test
	void placementOnAShardOutsideTheTopologyIsAnUnknownShardException() throws SQLException {
		TopologyStore store = shardwise.store();
		TenantPlacement placed = store.placeIfAbsent( TenantPlacement.of( "mover", "s2", TenantTier.SMALL ) );
		// an operator moves a tenant to a shard that was never added
		Throwable move = catchThrowable( () -> store.replacePlacement( placed.version(), placed.movedTo( "s9" ) ) );
		assertThat( Causes.find( move, UnknownShardException.class ) ).hasMessageContaining( "'mover'" )
				.hasMessageContaining( "'s9'" ).hasMessageContaining( "s1" );
		assertThat( shardwise.placement( "mover" ) ).contains( placed );
		assertThatThrownBy( () -> store.placeIfAbsent( TenantPlacement.of( "stray", "s9", TenantTier.SMALL ) ) )
				.isInstanceOf( UnknownShardException.class ).hasMessageContaining( "'s9'" );

		// a catalog restored from a dump with foreign key checks off: a tenant row names a shard row that is missing
		try ( Connection c = databases.get( CATALOG ).open(); Statement st = c.createStatement() ) {
			st.execute( DirectJdbc.foreignKeyChecksOff( kind ) );
			try ( PreparedStatement ps = c.prepareStatement( "insert into shardwise_tenant "
					+ "(tenant_id, shard_name, tier, status, version, updated_at) values (?, ?, ?, ?, ?, ?)" ) ) {
				ps.setString( 1, "restored-orphan" );
				ps.setString( 2, "s-retired" );
				ps.setString( 3, "SMALL" );
				ps.setString( 4, "ACTIVE" );
				ps.setLong( 5, 3 );
				ps.setTimestamp( 6, Timestamp.from( Instant.now() ) );
				ps.executeUpdate();
			}
			finally {
				st.execute( DirectJdbc.foreignKeyChecksOn( kind ) );
			}
		}
		try {
			Throwable thrown = catchThrowable( () -> TenantContext.run( "restored-orphan",
					() -> inTransaction( emf.createEntityManager(), em -> em.persist( new Invoice( "orphan-probe", 1 ) ) ) ) );
			assertThat( Causes.find( thrown, UnknownShardException.class ) ).hasMessageContaining( "'restored-orphan'" )
					.hasMessageContaining( "'s-retired'" ).hasMessageContaining( "v3" ).hasMessageContaining( "s1 ACTIVE" );
			for ( DbHandle shard : shardDatabases.values() ) {
				assertThat( DirectJdbc.invoicesLabelled( shard, "orphan-probe" ) ).isZero();
			}
		}
		finally {
			DirectJdbc.execute( databases.get( CATALOG ), "delete from shardwise_tenant where tenant_id = 'restored-orphan'" );
		}
	}

	@Test
	void offlineShardFailsFastWhileTheOtherShardsKeepWorking() throws SQLException {
		TopologyStore store = shardwise.store();
		store.placeIfAbsent( TenantPlacement.of( "offline-3", "s3", TenantTier.SMALL ) );
		store.placeIfAbsent( TenantPlacement.of( "online-1", "s1", TenantTier.SMALL ) );
		store.placeIfAbsent( TenantPlacement.of( "online-2", "s2", TenantTier.SMALL ) );
		inTransaction( emf.createEntityManager( Map.of( TENANT_HINT, "offline-3" ) ), em -> persistInvoices( em, "offline-3", 1 ) );

		Shard active = store.findShard( "s3" ).orElseThrow();
		assertThat( store.replaceShard( active.version(), active.next().status( ShardStatus.OFFLINE ).build() ) ).isTrue();
		try {
			Throwable write = catchThrowable( () -> inTransaction( emf.createEntityManager( Map.of( TENANT_HINT, "offline-3" ) ),
					em -> persistInvoices( em, "offline-3", 1 ) ) );
			assertThat( Causes.find( write, ShardOfflineException.class ) ).hasMessageContaining( "shard 's3' is OFFLINE" )
					.hasMessageContaining( "set it ACTIVE" );
			Throwable read = catchThrowable( () -> shardwise.readOnly( "offline-3",
					em -> em.createQuery( "select count(i) from Invoice i", Long.class ).getSingleResult() ) );
			assertThat( Causes.find( read, ShardOfflineException.class ) ).hasMessageContaining( "'s3'" );
			assertThat( shardwise.provision( "placed-while-s3-offline", TenantTier.SMALL ).shard() ).isNotEqualTo( "s3" );

			for ( String tenant : List.of( "online-1", "online-2" ) ) {
				inTransaction( emf.createEntityManager( Map.of( TENANT_HINT, tenant ) ), em -> persistInvoices( em, tenant, 1 ) );
				EntityManager em = emf.createEntityManager( Map.of( TENANT_HINT, tenant ) );
				try {
					assertThat( em.createQuery( "select count(i) from Invoice i", Long.class ).getSingleResult() ).isEqualTo( 1L );
				}
				finally {
					em.close();
				}
			}
			assertThat( DirectJdbc.invoicesByTenant( shardDatabases.get( "s3" ), "offline-3" ) ).containsExactly(
					Map.entry( "offline-3", 1L ) );
		}
		finally {
			Shard offline = store.findShard( "s3" ).orElseThrow();
			assertThat( store.replaceShard( offline.version(), offline.next().status( ShardStatus.ACTIVE ).build() ) ).isTrue();
		}
		// back ACTIVE: served again
		inTransaction( emf.createEntityManager( Map.of( TENANT_HINT, "offline-3" ) ), em -> persistInvoices( em, "offline-3", 1 ) );
		assertThat( DirectJdbc.invoicesByTenant( shardDatabases.get( "s3" ), "offline-3" ) ).containsExactly( Map.entry( "offline-3", 2L ) );
	}

	@Test
	void malformedTopologyFileFailsAtBootNamingTheFile(@TempDir Path dir) throws IOException {
		Path unknownField = Files.writeString( dir.resolve( "unknown-field.yaml" ),
				"shards:\n  - name: f1\n    wrte: \"" + databases.get( FIRST_FILE_SHARD ).url() + "\"\n", StandardCharsets.UTF_8 );
		assertThat( bootFailure( "it-file", Map.of( "it.topology.file", unknownField.toString() ), TopologyException.class ) )
				.hasMessageContaining( unknownField.toString() ).hasMessageContaining( "shards[0]" )
				.hasMessageContaining( "unknown field 'wrte'" ).hasMessageContaining( "write" );

		Path notYaml = Files.writeString( dir.resolve( "broken.yaml" ), "shards: [ { name: f1, write: \n", StandardCharsets.UTF_8 );
		assertThat( bootFailure( "it-file", Map.of( "it.topology.file", notYaml.toString() ), TopologyException.class ) )
				.hasMessageContaining( notYaml.toString() ).hasMessageContaining( "not valid YAML" ).hasMessageContaining( "line " );

		Path missing = dir.resolve( "missing.yaml" );
		assertThat( bootFailure( "it-file", Map.of( "it.topology.file", missing.toString() ), TopologyException.class ) )
				.hasMessageContaining( missing.toString() ).hasMessageContaining( "was not found" );
	}

	@Test
	void missingOrInvalidSettingsFailAtBootNamingTheProperty() {
		DbHandle catalogDb = databases.get( CATALOG );
		Map<String, String> catalogProperties = Map.of( "it.catalog.url", catalogDb.url(), "it.catalog.user", catalogDb.user() );
		assertThat( bootFailure( "it-bad-store-name", Map.of(), ShardwiseConfigurationException.class ) )
				.hasMessageContaining( "'" + ShardwiseSettings.TOPOLOGY_STORE + "'" ).hasMessageContaining( "but was 'nonsense'" )
				.hasMessageContaining( "file" ).hasMessageContaining( "jdbc" );
		assertThat( bootFailure( "it-bad-pool-size", catalogProperties, ShardwiseConfigurationException.class ) )
				.hasMessageContaining( "'" + ShardwiseSettings.POOL_MAXIMUM_SIZE + "'" ).hasMessageContaining( "must be an integer" )
				.hasMessageContaining( "but was 'abc'" ).hasMessageContaining( "(default: 50)" );
		assertThat( bootFailure( "it-no-catalog-url", catalogProperties, ShardwiseConfigurationException.class ) )
				.hasMessageContaining( "'" + ShardwiseSettings.CATALOG_URL + "'" ).hasMessageContaining( "must be set" );
	}

	@Test
	void passwordsNeverAppearInMessagesOrLogs() throws SQLException {
		String token = UUID.randomUUID().toString().replace( "-", "" ).substring( 0, 10 );
		String user = "sw_it_user_" + token;
		String password = "Pw-right-" + token;
		String wrongPassword = "Pw-wrong-" + token;
		String reference = "SW_IT_SHARD_PASSWORD_" + token;
		DbHandle securedDb = databases.get( SECURED_SHARD );
		DirectJdbc.createLoginUser( databases.server(), securedDb, user, password );
		loginUsers.add( user );

		List<Throwable> failures = new ArrayList<>();
		List<String> logs;
		TopologyStore store = shardwise.store();
		System.setProperty( reference, password );
		try ( LogCapture capture = LogCapture.start( "io.shardwise", "com.zaxxer.hikari", "org.hibernate.engine.jdbc" ) ) {
			// the recommended form: the catalog holds a reference, the password comes from the environment
			store.addShard( Shard.builder( "secured" ).write( securedDb.url() ).credentials( user, "${" + reference + "}" )
					.status( ShardStatus.DRAINING ).build() );
			// failing shards give up after a second instead of the default 30
			PoolSettings quickFailure = PoolSettings.builder().connectionTimeout( Duration.ofSeconds( 1 ) ).build();
			store.addShard( Shard.builder( "secured-wrong" ).write( securedDb.url() ).credentials( user, wrongPassword )
					.pool( quickFailure ).status( ShardStatus.DRAINING ).build() );
			store.addShard( Shard.builder( "unreachable" )
					.write( DirectJdbc.unreachableUrl( kind, securedDb.name(), user, password ) )
					.credentials( user, password ).pool( quickFailure ).status( ShardStatus.DRAINING ).build() );
			shardwise.deploySchema( "secured" );
			store.placeIfAbsent( TenantPlacement.of( "sec-ok", "secured", TenantTier.SMALL ) );
			store.placeIfAbsent( TenantPlacement.of( "sec-wrong", "secured-wrong", TenantTier.SMALL ) );
			store.placeIfAbsent( TenantPlacement.of( "sec-down", "unreachable", TenantTier.SMALL ) );

			// the right password: works
			inTransaction( emf.createEntityManager( Map.of( TENANT_HINT, "sec-ok" ) ), em -> persistInvoices( em, "sec-ok", 1 ) );
			assertThat( DirectJdbc.invoicesByTenant( securedDb, "sec-ok" ) ).containsEntry( "sec-ok", 1L );

			// a wrong password: refused where the server checks passwords (H2, MariaDB; PostgreSQL trusts this host)
			Throwable wrong = catchThrowable( () -> inTransaction( emf.createEntityManager( Map.of( TENANT_HINT, "sec-wrong" ) ),
					em -> persistInvoices( em, "sec-wrong", 1 ) ) );
			if ( kind != DatabaseKind.POSTGRESQL ) {
				assertThat( wrong ).as( "login with a wrong password" ).isNotNull();
			}
			if ( wrong != null ) {
				failures.add( wrong );
				assertThat( Causes.find( wrong, SQLException.class ).getMessage() ).contains( "shard 'secured-wrong' WRITE" );
			}

			// nothing listens: the message names the shard and the URL with its password masked
			Throwable down = catchThrowable( () -> inTransaction( emf.createEntityManager( Map.of( TENANT_HINT, "sec-down" ) ),
					em -> persistInvoices( em, "sec-down", 1 ) ) );
			failures.add( down );
			assertThat( Causes.find( down, SQLException.class ).getMessage() ).contains( "shard 'unreachable' WRITE" )
					.containsIgnoringCase( "password=******" ).contains( "127.0.0.1:1" );

			// a catalog that cannot be reached, with the password in its URL
			Throwable catalogDown = catchThrowable( () -> bootFromPersistenceXml( "it-catalog", Map.of(
					"it.catalog.url", DirectJdbc.unreachableUrl( kind, databases.get( CATALOG ).name(), user, password ),
					"it.catalog.user", user, "it.catalog.password", password ) ) );
			failures.add( catalogDown );
			assertThat( Causes.find( catalogDown, TopologyException.class ) ).hasMessageContaining( "topology catalog" )
					.hasMessageContaining( "127.0.0.1:1" );

			assertThat( shardwise.shards().toString() ).contains( "secured", "unreachable" );
			assertThat( shardwise.shards().toString() + store.findShard( "secured-wrong" ).orElseThrow() )
					.doesNotContain( password ).doesNotContain( wrongPassword );
			logs = capture.texts();
		}
		finally {
			System.clearProperty( reference );
			for ( String tenant : List.of( "sec-ok", "sec-wrong", "sec-down" ) ) {
				store.findPlacement( tenant ).ifPresent( p -> store.removePlacement( tenant, p.version() ) );
			}
			for ( String shard : List.of( "secured", "secured-wrong", "unreachable" ) ) {
				store.findShard( shard ).ifPresent( s -> store.removeShard( shard, s.version() ) );
			}
		}

		assertThat( logs ).as( "the capture saw the new shards join" )
				.anyMatch( line -> line.contains( "Shard 'secured' joined the topology" ) );
		assertThat( logs ).as( "the capture saw the failed connections" ).anyMatch( line -> line.contains( "unreachable" ) );
		for ( Throwable failure : failures ) {
			assertThat( Causes.fullText( failure ) ).doesNotContain( password ).doesNotContain( wrongPassword );
		}
		for ( String line : logs ) {
			assertThat( line ).doesNotContain( password ).doesNotContain( wrongPassword );
		}
	}

	// ------------------------------------------------------------------------------------------------ scenario 6

	@Test
	void sessionWithoutATenantNeverReachesAShard() throws SQLException {
		assertThat( TenantContext.current() ).isEmpty();
		Throwable write = catchThrowable( () -> inTransaction( emf.createEntityManager(),
				em -> em.persist( new Invoice( "no-tenant-probe", 1 ) ) ) );
		assertThat( Causes.find( write, NoTenantInContextException.class ) ).hasMessageContaining( "no tenant in context" )
				.hasMessageContaining( "TenantContext.run" ).hasMessageContaining( TENANT_HINT );

		Throwable read = catchThrowable( () -> {
			EntityManager em = emf.createEntityManager();
			try {
				em.createQuery( "select i from Invoice i", Invoice.class ).getResultList();
			}
			finally {
				em.close();
			}
		} );
		Causes.find( read, NoTenantInContextException.class );

		// after a tenant's work the context is empty again
		shardwise.store().placeIfAbsent( TenantPlacement.of( "briefly", "s1", TenantTier.SMALL ) );
		TenantContext.run( "briefly", () -> inTransaction( emf.createEntityManager(), em -> persistInvoices( em, "briefly", 1 ) ) );
		Throwable after = catchThrowable( () -> inTransaction( emf.createEntityManager(),
				em -> em.persist( new Invoice( "no-tenant-probe", 1 ) ) ) );
		Causes.find( after, NoTenantInContextException.class );

		for ( DbHandle shard : shardDatabases.values() ) {
			assertThat( DirectJdbc.invoicesLabelled( shard, "no-tenant-probe" ) ).isZero();
		}
	}

	// ------------------------------------------------------------------------------------------------ helpers

	/**
	 * {@code Persistence.createEntityManagerFactory(unit)} with no properties map: the given system properties feed
	 * the {@code ${...}} placeholders of persistence.xml while the factory is built, and are removed afterwards.
	 */
	private static EntityManagerFactory bootFromPersistenceXml(String unit, Map<String, String> systemProperties) {
		systemProperties.forEach( System::setProperty );
		try {
			return Persistence.createEntityManagerFactory( unit );
		}
		finally {
			systemProperties.keySet().forEach( System::clearProperty );
		}
	}

	private static <T extends Throwable> T bootFailure(String unit, Map<String, String> systemProperties, Class<T> expected) {
		Throwable thrown = catchThrowable( () -> bootFromPersistenceXml( unit, systemProperties ).close() );
		assertThat( thrown ).as( "creating the EntityManagerFactory of %s", unit ).isNotNull();
		return Causes.find( thrown, expected );
	}

	private Map<String, String> catalogPlacements(String tenantPrefix) throws SQLException {
		Map<String, String> placements = new TreeMap<>();
		try ( Connection c = databases.get( CATALOG ).open();
				PreparedStatement ps = c.prepareStatement( "select tenant_id, shard_name from shardwise_tenant where tenant_id like ?" ) ) {
			ps.setString( 1, tenantPrefix + "%" );
			try ( ResultSet rs = ps.executeQuery() ) {
				while ( rs.next() ) {
					placements.put( rs.getString( 1 ), rs.getString( 2 ) );
				}
			}
		}
		return placements;
	}

	private static Shard.Builder shard(String name, DbHandle db) {
		return Shard.builder( name ).write( db.url() ).credentials( Credentials.of( db.user(), db.password() ) );
	}

	private static Endpoint endpoint(DbHandle db) {
		return Endpoint.of( db.url(), Credentials.of( db.user(), db.password() ) );
	}

	private static void persistInvoices(EntityManager em, String tenant, int count) {
		for ( int i = 1; i <= count; i++ ) {
			em.persist( new Invoice( tenant + " invoice " + i, 100L * i ) );
		}
	}

	/** Runs {@code work} in a transaction of {@code em} and closes it; a failure rolls back and propagates. */
	private static void inTransaction(EntityManager em, Consumer<EntityManager> work) {
		try {
			em.getTransaction().begin();
			work.accept( em );
			em.getTransaction().commit();
		}
		finally {
			if ( em.getTransaction().isActive() ) {
				em.getTransaction().rollback();
			}
			em.close();
		}
	}
}
