package io.shardwise.it.fault;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import org.hibernate.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.shardwise.ShardEvent;
import io.shardwise.ShardOfflineException;
import io.shardwise.Shardwise;
import io.shardwise.ShardwiseSettings;
import io.shardwise.it.fixtures.Await;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.DbHandle;
import io.shardwise.it.fixtures.RequiresDatabase;
import io.shardwise.it.fixtures.ShardDatabases;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.testing.Note;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Live pool changes on PostgreSQL under load, through {@code TopologyStore.replaceShard} (the router applies the
 * change by re-opening the shard's pools and retiring the old ones once their connections come back):
 * <ul>
 * <li>credential rotation: the shard's login role changes from A to B (after {@code ALTER ROLE B PASSWORD ...});</li>
 * <li>endpoint change: the shard moves to another database;</li>
 * <li>a shard set OFFLINE while a transaction runs on it; a shard added.</li>
 * </ul>
 * <b>What the rotation test proves, and what it cannot.</b> This server authenticates 127.0.0.1 with {@code trust}, so it
 * does not check passwords: a wrong password would not fail here, and a password change alone is invisible to the
 * server. The test therefore rotates to <em>another role</em> (with a new password, set by {@code ALTER ROLE}) and
 * proves, from the server's side ({@code current_user} inside each transaction and {@code pg_stat_activity}), that
 * (1) no transaction fails during the swap, (2) every transaction that starts after a thread first sees the new role
 * runs as the new role (the new pool's connections carry the new credentials), and (3) the old role's connections are
 * all closed once the in-flight work has returned them. That the new password reaches the driver is the same code
 * path as the new user name ({@code PoolFactory}); that the server would reject the old password is not tested.
 */
@RequiresDatabase(DatabaseKind.POSTGRESQL)
class LivePoolsPostgreSqlTest {
	private static final Duration BOUND = Duration.ofSeconds( 20 );

	private ShardDatabases dbs;
	private final List<String> roles = new ArrayList<>();
	private final List<ShardEvent> events = new CopyOnWriteArrayList<>();
	private InMemoryTopologyStore store;
	private EntityManagerFactory emf;
	private Shardwise shardwise;
	private AutoCloseable listener;

	@BeforeEach
	void start() throws SQLException {
		dbs = ShardDatabases.create( DatabaseKind.POSTGRESQL, "live", 4 );
		String token = dbs.get( 0 ).name().split( "_" )[1];
		for ( String r : List.of( "a", "b" ) ) {
			String role = "sw_rot_" + r + "_" + token;
			admin( "create role " + role + " login password 'initial-" + r + "'" );
			roles.add( role );
		}
		for ( DbHandle db : dbs.handles() ) {
			try ( Connection c = db.open(); Statement st = c.createStatement() ) {
				st.execute( "create sequence note_seq start with 1 increment by 50" );
				st.execute( "create table note (id bigint primary key, tenantId varchar(255), text varchar(255))" );
				for ( String role : roles ) {
					st.execute( "grant select, insert, update, delete on note to " + role );
					st.execute( "grant usage, select on sequence note_seq to " + role );
				}
			}
		}
		store = new InMemoryTopologyStore();
		store.addShard( Shard.builder( "rot" ).write( dbs.get( 0 ).url() ).credentials( roles.get( 0 ), "initial-a" ).build() );
		store.addShard( Shard.builder( "move" ).write( dbs.get( 1 ).url() ).build() );
		for ( int i = 0; i < 6; i++ ) {
			store.placeIfAbsent( TenantPlacement.of( "rot-" + i, "rot", TenantTier.SMALL ) );
			store.placeIfAbsent( TenantPlacement.of( "move-" + i, "move", TenantTier.SMALL ) );
		}
		Map<String, Object> props = new HashMap<>();
		props.put( ShardwiseSettings.TOPOLOGY_STORE, store );
		props.put( ShardwiseSettings.METER_REGISTRY, "none" );
		props.put( ShardwiseSettings.POOL_MAXIMUM_SIZE, "4" );
		props.put( ShardwiseSettings.POOL_MINIMUM_IDLE, "0" );
		props.put( ShardwiseSettings.HEALTH_INTERVAL, "0" );
		props.put( "jakarta.persistence.schema-generation.database.action", "none" );
		emf = Persistence.createEntityManagerFactory( "shardwise-core-test", props );
		shardwise = Shardwise.of( emf );
		listener = shardwise.addEventListener( events::add );
	}

	@AfterEach
	void stop() throws Exception {
		if ( listener != null ) {
			listener.close();
		}
		if ( emf != null ) {
			emf.close();
		}
		if ( dbs != null ) {
			dbs.close();
		}
		for ( String role : roles ) {
			admin( "drop role if exists " + role );
		}
	}

	private void admin(String sql) throws SQLException {
		try ( Connection c = dbs.server().openAdmin(); Statement st = c.createStatement() ) {
			st.execute( sql );
		}
	}

	/** A write transaction that also reports, from the server, who it ran as and where: "role@database". */
	private String writeAndReport(String tenant) {
		try ( Session s = shardwise.openSession( tenant ) ) {
			s.beginTransaction();
			s.persist( new Note( "by " + Thread.currentThread().getName() ) );
			String who = (String) s.createNativeQuery( "select current_user || '@' || current_database()", String.class ).getSingleResult();
			if ( ThreadLocalRandom.current().nextInt( 4 ) == 0 ) {
				// some transactions hold their connection a little longer, so that the swap finds work in flight
				s.createNativeQuery( "select pg_sleep(0.05)", Object.class ).getSingleResult();
			}
			s.getTransaction().commit();
			return who;
		}
	}

	/** Load that keeps, per thread, the sequence of distinct "role@database" values its transactions reported. */
	private static final class Observed {
		final Map<String, List<String>> byThread = new ConcurrentHashMap<>();

		void add(String who) {
			List<String> seen = byThread.computeIfAbsent( Thread.currentThread().getName(), k -> new ArrayList<>() );
			if ( seen.isEmpty() || !seen.get( seen.size() - 1 ).equals( who ) ) {
				seen.add( who );
			}
		}

		boolean anySaw(String who) {
			return byThread.values().stream().anyMatch( l -> l.contains( who ) );
		}
	}

	private static List<String> tenants(String prefix) {
		List<String> out = new ArrayList<>();
		for ( int i = 0; i < 6; i++ ) {
			out.add( prefix + i );
		}
		return out;
	}

	@Test
	void credentialRotationUnderLoadFailsNoTransaction() throws SQLException {
		String oldRole = roles.get( 0 );
		String newRole = roles.get( 1 );
		String database = dbs.get( 0 ).name();
		Observed observed = new Observed();
		try ( Load load = Load.start( "rot", 4, tenants( "rot-" ), 0, t -> observed.add( writeAndReport( t ) ) ) ) {
			Await.until( "load as the old role", BOUND, () -> load.ok.sum() >= 40 );
			assertThat( observed.anySaw( oldRole + "@" + database ) ).isTrue();

			admin( "alter role " + newRole + " password 'rotated-b'" );
			Shard current = store.findShard( "rot" ).orElseThrow();
			assertThat( store.replaceShard( current.version(), current.next().credentials( newRole, "rotated-b" ).build() ) ).isTrue();

			Await.until( "transactions as the new role", BOUND, () -> observed.anySaw( newRole + "@" + database ) );
			long after = load.ok.sum();
			Await.until( "more load after the swap", BOUND, () -> load.ok.sum() >= after + 40 );
			load.stop();
			assertThat( load.failed.sum() + load.refused.sum() ).as( "failed transactions during the rotation: %s", load ).isZero();
		}
		// per thread: the old role, then the new role, and never back
		String before = oldRole + "@" + database;
		String now = newRole + "@" + database;
		assertThat( observed.byThread.values() ).allSatisfy( seq -> assertThat( seq ).isIn( List.of( before, now ), List.of( now ) ) );
		// new sessions run as the new role; the old pool is closed once its connections came back
		assertThat( writeAndReport( "rot-0" ) ).isEqualTo( newRole + "@" + database );
		Await.until( "no connection of the old role left", BOUND, () -> backends( database, oldRole ) == 0 );
		assertThat( backends( database, newRole ) ).isPositive();
		assertThat( events ).anySatisfy( e -> assertThat( e ).isInstanceOfSatisfying( ShardEvent.ShardUpdated.class, u -> {
			assertThat( u.shard() ).isEqualTo( "rot" );
			assertThat( u.poolsReplaced() ).isTrue();
			assertThat( u.after().credentials().username() ).isEqualTo( newRole );
		} ) );
	}

	@Test
	void endpointChangeUnderLoadSendsNewSessionsToTheNewDatabase() throws SQLException {
		String oldDb = dbs.get( 1 ).name();
		String newDb = dbs.get( 2 ).name();
		Observed observed = new Observed();
		try ( Load load = Load.start( "move", 4, tenants( "move-" ), 0, t -> observed.add( writeAndReport( t ).split( "@" )[1] ) ) ) {
			Await.until( "load on the old database", BOUND, () -> load.ok.sum() >= 40 );
			Shard current = store.findShard( "move" ).orElseThrow();
			assertThat( store.replaceShard( current.version(), current.next().write( dbs.get( 2 ).url() ).build() ) ).isTrue();
			Await.until( "transactions on the new database", BOUND, () -> observed.anySaw( newDb ) );
			long after = load.ok.sum();
			Await.until( "more load after the move", BOUND, () -> load.ok.sum() >= after + 40 );
			load.stop();
			assertThat( load.failed.sum() + load.refused.sum() ).as( "failed transactions during the move: %s", load ).isZero();
		}
		assertThat( observed.byThread.values() ).allSatisfy( seq -> assertThat( seq ).isIn( List.of( oldDb, newDb ), List.of( newDb ) ) );
		try ( Session s = shardwise.openSession( "move-0" ) ) {
			s.beginTransaction();
			s.persist( new Note( "after the move" ) );
			s.getTransaction().commit();
		}
		assertThat( count( dbs.get( 2 ), "after the move" ) ).isEqualTo( 1 );
		assertThat( count( dbs.get( 1 ), "after the move" ) ).isZero();
		Await.until( "the old database's pool to close", BOUND, () -> backends( oldDb, null ) == 0 );
	}

	@Test
	void anOfflineShardClosesItsPoolAfterInFlightWorkAndAnAddedShardGetsPools() throws SQLException {
		String db = dbs.get( 1 ).name();
		try ( Session inFlight = shardwise.openSession( "move-1" ) ) {
			inFlight.beginTransaction();
			inFlight.persist( new Note( "in flight" ) );
			inFlight.flush();

			Shard current = store.findShard( "move" ).orElseThrow();
			store.replaceShard( current.version(), current.next().status( ShardStatus.OFFLINE ).build() );
			assertThatThrownBy( () -> writeAndReport( "move-2" ) ).satisfies( e -> assertThat( Shardwise.isShardUnavailable( e ) ).isTrue() )
					.hasStackTraceContaining( ShardOfflineException.class.getSimpleName() );
			assertThat( backends( db, null ) ).as( "the in-flight transaction's connection" ).isEqualTo( 1 );

			inFlight.getTransaction().commit();
		}
		assertThat( count( dbs.get( 1 ), "in flight" ) ).isEqualTo( 1 );
		Await.until( "the OFFLINE shard's pool to close", BOUND, () -> backends( db, null ) == 0 );

		// a shard added to the topology gets pools and serves its tenants
		store.addShard( Shard.builder( "added" ).write( dbs.get( 3 ).url() ).build() );
		store.placeIfAbsent( TenantPlacement.of( "newcomer", "added", TenantTier.SMALL ) );
		assertThat( writeAndReport( "newcomer" ) ).endsWith( "@" + dbs.get( 3 ).name() );
		assertThat( shardwise.breakerStates() ).containsEntry( "shardwise-added-write", "CLOSED" );
		assertThat( events ).anySatisfy( e -> assertThat( e ).isInstanceOf( ShardEvent.ShardAdded.class )
				.extracting( ShardEvent::shard ).isEqualTo( "added" ) );
	}

	private long backends(String database, String role) {
		try ( Connection c = dbs.server().openAdmin();
				PreparedStatement ps = c.prepareStatement( "select count(*) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()"
						+ ( role == null ? "" : " and usename = ?" ) ) ) {
			ps.setString( 1, database );
			if ( role != null ) {
				ps.setString( 2, role.toLowerCase( Locale.ROOT ) );
			}
			try ( ResultSet rs = ps.executeQuery() ) {
				rs.next();
				return rs.getLong( 1 );
			}
		}
		catch (SQLException e) {
			throw new IllegalStateException( e );
		}
	}

	private static long count(DbHandle db, String text) throws SQLException {
		try ( Connection c = db.open(); PreparedStatement ps = c.prepareStatement( "select count(*) from note where text = ?" ) ) {
			ps.setString( 1, text );
			try ( ResultSet rs = ps.executeQuery() ) {
				rs.next();
				return rs.getLong( 1 );
			}
		}
	}
}
