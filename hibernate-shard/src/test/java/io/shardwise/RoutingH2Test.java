package io.shardwise;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.testing.Note;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Routing end to end on three embedded H2 shards (one with a replica): JPA writes land on the placement's shard,
 * tenants sharing a shard are isolated, read-only sessions run on the replica, the schema reaches every shard.
 */
class RoutingH2Test {
	private final String run = UUID.randomUUID().toString().substring( 0, 8 );
	private InMemoryTopologyStore store;
	private EntityManagerFactory emf;
	private SimpleMeterRegistry meters;

	private String url(String db) {
		return "jdbc:h2:mem:" + db + "-" + run + ";DB_CLOSE_DELAY=-1";
	}

	@BeforeEach
	void start() throws SQLException {
		store = new InMemoryTopologyStore();
		store.addShard( Shard.builder( "s1" ).write( url( "s1" ) ).addRead( url( "s1-replica" ) ).build() );
		store.addShard( Shard.builder( "s2" ).write( url( "s2" ) ).build() );
		store.addShard( Shard.builder( "s3" ).write( url( "s3" ) ).build() );
		// the replica is a separate database: give it the table and a marker row only it has
		try ( Connection c = DriverManager.getConnection( url( "s1-replica" ) ); Statement st = c.createStatement() ) {
			st.execute( "create sequence note_SEQ start with 1 increment by 50" );
			st.execute( "create table note (id bigint primary key, tenantId varchar(255), text varchar(255))" );
		}
		meters = new SimpleMeterRegistry();
		Map<String, Object> props = new HashMap<>();
		props.put( ShardwiseSettings.TOPOLOGY_STORE, store );
		props.put( ShardwiseSettings.METER_REGISTRY, meters );
		emf = Persistence.createEntityManagerFactory( "shardwise-core-test", props );
	}

	@AfterEach
	void stop() {
		if ( emf != null ) {
			emf.close();
		}
	}

	@Test
	void writesLandOnThePlacementShardAndTenantsAreIsolated() throws SQLException {
		Shardwise shardwise = Shardwise.of( emf );
		List<String> tenants = new ArrayList<>();
		for ( int i = 0; i < 60; i++ ) {
			String t = "t-" + i;
			tenants.add( t );
			shardwise.provision( t, TenantTier.SMALL );
		}
		for ( String t : tenants ) {
			TenantContext.run( t, () -> {
				EntityManager em = emf.createEntityManager();
				em.getTransaction().begin();
				em.persist( new Note( "note of " + t ) );
				em.persist( new Note( "second note of " + t ) );
				em.getTransaction().commit();
				em.close();
			} );
		}
		Map<String, Integer> shardsUsed = new HashMap<>();
		for ( String t : tenants ) {
			TenantPlacement p = shardwise.placement( t ).orElseThrow();
			shardsUsed.merge( p.shard(), 1, Integer::sum );
			for ( String shard : List.of( "s1", "s2", "s3" ) ) {
				assertThat( countRows( url( shard ), t ) ).as( "rows of %s on %s (placed on %s)", t, shard, p.shard() )
						.isEqualTo( shard.equals( p.shard() ) ? 2 : 0 );
			}
		}
		assertThat( shardsUsed ).as( "tenants spread over all shards" ).containsOnlyKeys( "s1", "s2", "s3" );

		// isolation: through the standard JPA tenant hint, each tenant sees exactly its own two notes
		for ( String t : tenants ) {
			EntityManager em = emf.createEntityManager( Map.of( "org.hibernate.tenantId", t ) );
			List<Note> notes = em.createQuery( "from Note", Note.class ).getResultList();
			assertThat( notes ).hasSize( 2 ).allSatisfy( n -> assertThat( n.getTenantId() ).isEqualTo( t ) );
			em.close();
		}
		assertThat( meters.get( ShardwiseMeters.CACHE_REQUESTS ).functionCounter().count() ).isGreaterThan( 0 );
		assertThat( meters.get( ShardwiseMeters.CACHE_HITS ).functionCounter().count() ).isGreaterThan( 0 );
	}

	@Test
	void readOnlySessionsRunOnTheReplica() throws SQLException {
		store.placeIfAbsent( TenantPlacement.of( "reader", "s1", TenantTier.SMALL ) );
		try ( Connection c = DriverManager.getConnection( url( "s1-replica" ) ); Statement st = c.createStatement() ) {
			st.execute( "insert into note (id, tenantId, text) values (1000, 'reader', 'only on the replica')" );
		}
		Shardwise shardwise = Shardwise.of( emf );
		List<String> seen = shardwise.readOnly( "reader", em -> em.createQuery( "select n.text from Note n", String.class ).getResultList() );
		assertThat( seen ).containsExactly( "only on the replica" );

		// Hibernate's native route: SessionBuilder.readOnly(true) -> getReadOnlyConnection
		try ( Session s = emf.unwrap( SessionFactory.class ).withOptions().tenantIdentifier( (Object) "reader" ).readOnly( true ).openSession() ) {
			assertThat( s.createQuery( "select n.text from Note n", String.class ).getResultList() ).containsExactly( "only on the replica" );
		}
		// a read-write session of the same tenant reads the primary, which has no such row
		try ( Session s = shardwise.openSession( "reader" ) ) {
			assertThat( s.createQuery( "select n.text from Note n", String.class ).getResultList() ).isEmpty();
		}
	}

	@Test
	void schemaExistsOnEveryShardAndCanBeDeployedToANewOne() throws SQLException {
		for ( String shard : List.of( "s1", "s2", "s3" ) ) {
			assertThat( tableExists( url( shard ) ) ).as( "note table on %s", shard ).isTrue();
		}
		// a new shard joins OFFLINE (no pools, no traffic), gets the schema, then goes ACTIVE
		store.addShard( Shard.builder( "s4" ).write( url( "s4" ) ).status( ShardStatus.OFFLINE ).build() );
		Shardwise shardwise = Shardwise.of( emf );
		assertThat( shardwise.shards() ).extracting( Shard::name ).contains( "s4" );
		assertThat( tableExists( url( "s4" ) ) ).isFalse();
		shardwise.deploySchema( "s4" );
		assertThat( tableExists( url( "s4" ) ) ).isTrue();

		Shard offline = store.findShard( "s4" ).orElseThrow();
		assertThat( store.replaceShard( offline.version(), offline.next().status( ShardStatus.ACTIVE ).build() ) ).isTrue();
		store.placeIfAbsent( TenantPlacement.of( "newcomer", "s4", TenantTier.SMALL ) );
		try ( Session s = shardwise.openSession( "newcomer" ) ) {
			s.getTransaction().begin();
			s.persist( new Note( "first note on s4" ) );
			s.getTransaction().commit();
		}
		assertThat( countRows( url( "s4" ), "newcomer" ) ).isEqualTo( 1 );
	}

	@Test
	void offlineShardFailsFastAndOthersKeepWorking() {
		store.placeIfAbsent( TenantPlacement.of( "on-s2", "s2", TenantTier.SMALL ) );
		store.placeIfAbsent( TenantPlacement.of( "on-s3", "s3", TenantTier.SMALL ) );
		Shardwise shardwise = Shardwise.of( emf );
		Shard s2 = store.findShard( "s2" ).orElseThrow();
		assertThat( store.replaceShard( s2.version(), s2.next().status( ShardStatus.OFFLINE ).build() ) ).isTrue();
		assertThatThrownBy( () -> {
			try ( Session s = shardwise.openSession( "on-s2" ) ) {
				s.createQuery( "from Note", Note.class ).getResultList();
			}
		} ).satisfies( e -> assertThat( rootOfType( e, ShardOfflineException.class ) )
				.hasMessageContaining( "shard 's2' is OFFLINE" ).hasMessageContaining( "set it ACTIVE or move its tenants" ) );
		try ( Session s = shardwise.openSession( "on-s3" ) ) {
			assertThat( s.createQuery( "from Note", Note.class ).getResultList() ).isEmpty();
		}
	}

	@Test
	void noTenantInContextIsAClearError() {
		assertThatThrownBy( () -> {
			EntityManager em = emf.createEntityManager();
			em.createQuery( "from Note", Note.class ).getResultList();
		} ).hasStackTraceContaining( "NoTenantInContextException" ).hasStackTraceContaining( "TenantContext.run" );
	}

	@Test
	void unknownTenantIsAClearError() {
		assertThatThrownBy( () -> TenantContext.run( "nobody", () -> {
			EntityManager em = emf.createEntityManager();
			em.createQuery( "from Note", Note.class ).getResultList();
		} ) ).satisfies( e -> assertThat( rootOfType( e, UnknownTenantException.class ) )
				.hasMessageContaining( "'nobody'" ).hasMessageContaining( "provision" ).hasMessageContaining( "s1 ACTIVE" ) );
	}

	static <T extends Throwable> T rootOfType(Throwable e, Class<T> type) {
		for ( Throwable t = e; t != null; t = t.getCause() ) {
			if ( type.isInstance( t ) ) {
				return type.cast( t );
			}
		}
		throw new AssertionError( "no " + type.getSimpleName() + " in the cause chain of " + e, e );
	}

	private static long countRows(String url, String tenant) throws SQLException {
		try ( Connection c = DriverManager.getConnection( url );
				var ps = c.prepareStatement( "select count(*) from note where tenantId = ?" ) ) {
			ps.setString( 1, tenant );
			try ( ResultSet rs = ps.executeQuery() ) {
				rs.next();
				return rs.getLong( 1 );
			}
		}
	}

	private static boolean tableExists(String url) throws SQLException {
		try ( Connection c = DriverManager.getConnection( url );
				ResultSet rs = c.getMetaData().getTables( null, null, "NOTE", null ) ) {
			return rs.next();
		}
	}
}
