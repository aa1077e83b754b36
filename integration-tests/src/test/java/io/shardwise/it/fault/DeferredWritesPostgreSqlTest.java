package io.shardwise.it.fault;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.shardwise.DeferredEntry;
import io.shardwise.DeferredWrites;
import io.shardwise.Shardwise;
import io.shardwise.ShardwiseSettings;
import io.shardwise.it.fixtures.Await;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.DbHandle;
import io.shardwise.it.fixtures.FaultProxy;
import io.shardwise.it.fixtures.RequiresDatabase;
import io.shardwise.it.fixtures.ShardDatabases;
import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deferred-write queue on PostgreSQL, with the catalog in its own database: entries submitted by one member while
 * their shard is down survive that member being killed in the middle of replaying them (in a forked JVM, halted right
 * after the shard committed an entry and before the catalog deleted it), and another member applies every entry
 * exactly once, in order per tenant. Entries that keep failing are parked with their error.
 */
@RequiresDatabase(DatabaseKind.POSTGRESQL)
class DeferredWritesPostgreSqlTest {
	private static final Duration BOUND = Duration.ofSeconds( 60 );
	private static final List<String> DOWN_TENANTS = List.of( "d-0", "d-1", "d-2", "d-3" );
	private static final int PER_TENANT = 5;

	private ShardDatabases dbs;
	private FaultProxy proxy;
	private EntityManagerFactory emf;
	private Process member;

	@BeforeEach
	void start() throws SQLException {
		dbs = ShardDatabases.create( DatabaseKind.POSTGRESQL, "deferred", 3 );
		for ( int i = 1; i <= 2; i++ ) {
			try ( Connection c = dbs.get( i ).open(); Statement st = c.createStatement() ) {
				st.execute( "create sequence note_seq start with 1 increment by 50" );
				st.execute( "create table note (id bigint primary key, tenantId varchar(255), text varchar(255))" );
			}
		}
		proxy = FaultProxy.forUrl( dbs.get( 2 ).url(), 5432 );
		try ( JdbcCatalogTopologyStore store = JdbcCatalogTopologyStore.create( Map.of(
				ShardwiseSettings.CATALOG_URL, catalog().url(), ShardwiseSettings.CATALOG_USER, catalog().user() ) ) ) {
			store.addShard( Shard.builder( "up" ).write( dbs.get( 1 ).url() ).build() );
			store.addShard( Shard.builder( "down" ).write( proxy.rewrite( dbs.get( 2 ).url() )
					+ "?connectTimeout=1&loginTimeout=1&socketTimeout=1" ).build() );
			store.placeIfAbsent( TenantPlacement.of( "h-0", "up", TenantTier.SMALL ) );
			DOWN_TENANTS.forEach( t -> store.placeIfAbsent( TenantPlacement.of( t, "down", TenantTier.SMALL ) ) );
		}
		emf = Persistence.createEntityManagerFactory( "shardwise-core-test",
				DeferredMember.settings( catalog().url(), catalog().user() ) );
	}

	@AfterEach
	void stop() {
		if ( member != null && member.isAlive() ) {
			member.destroyForcibly();
		}
		if ( emf != null ) {
			emf.close();
		}
		if ( proxy != null ) {
			proxy.close();
		}
		if ( dbs != null ) {
			dbs.close();
		}
	}

	private DbHandle catalog() {
		return dbs.get( 0 );
	}

	@Test
	void entriesSurviveAMemberKilledMidReplayAndAreAppliedExactlyOnceInOrder() throws Exception {
		proxy.cut();
		// member B, in its own JVM: submits 4 x 5 entries for the tenants of the dead shard
		String halt = DeferredMember.payload( "d-1", 1 ); // the 7th entry it will replay
		List<String> command = new ArrayList<>( List.of( javaBin(), "-cp", System.getProperty( "java.class.path" ),
				DeferredMember.class.getName(), catalog().url(), catalog().user(), halt ) );
		DOWN_TENANTS.forEach( t -> command.add( t + ":" + PER_TENANT ) );
		member = new ProcessBuilder( command ).redirectError( ProcessBuilder.Redirect.INHERIT ).start();
		BlockingQueue<String> out = lines( member );
		expectLine( member, out, "BOOTED" );
		expectLine( member, out, "SUBMITTED " + ( DOWN_TENANTS.size() * PER_TENANT ) );

		// durable: this member sees them all in the catalog, in order per tenant
		Shardwise shardwise = Shardwise.of( emf );
		DeferredWrites deferred = shardwise.deferred();
		assertThat( deferred.pendingCount() ).isEqualTo( 20 );
		assertThat( deferred.pending( "d-2" ) ).extracting( DeferredEntry::payload ).containsExactly(
				DeferredMember.payload( "d-2", 0 ), DeferredMember.payload( "d-2", 1 ), DeferredMember.payload( "d-2", 2 ),
				DeferredMember.payload( "d-2", 3 ), DeferredMember.payload( "d-2", 4 ) );

		// the shard is back; B replays and is killed right after the shard committed its 7th entry
		proxy.restore();
		try ( OutputStream in = member.getOutputStream() ) {
			in.write( "REPLAY\n".getBytes( StandardCharsets.UTF_8 ) );
			in.flush();
			assertThat( member.waitFor( BOUND.toSeconds(), TimeUnit.SECONDS ) ).as( "member B ended" ).isTrue();
		}
		assertThat( member.exitValue() ).as( "member B halted after the commit of '%s'", halt ).isEqualTo( DeferredMember.HALTED );
		assertThat( count( halt ) ).as( "the entry B applied before it died" ).isEqualTo( 1 );
		assertThat( deferred.pending( "d-1" ) ).extracting( DeferredEntry::payload ).first().isEqualTo( halt );

		// this member replays the rest: the half-finished entry is recognised, not applied twice
		deferred.registerHandler( DeferredMember.HANDLER, DeferredMember::appendNote );
		Await.until( "every deferred entry applied", BOUND, () -> {
			shardwise.checkHealth();
			deferred.replayNow();
			return deferred.pendingCount() == 0;
		} );
		assertThat( deferred.parked() ).isEmpty();
		for ( String tenant : DOWN_TENANTS ) {
			List<String> applied = notesInIdOrder( tenant );
			List<String> expected = new ArrayList<>();
			for ( int i = 0; i < PER_TENANT; i++ ) {
				expected.add( DeferredMember.payload( tenant, i ) );
			}
			assertThat( applied ).as( "entries of %s, each once, in submission order", tenant ).isEqualTo( expected );
		}
		assertThat( scalar( dbs.get( 2 ), "select count(*) from shardwise_deferred_applied" ) ).isEqualTo( 20 );
	}

	@Test
	void entriesThatKeepFailingAreParkedWithTheirErrorAndStopHoldingTheTenantBack() {
		Shardwise shardwise = Shardwise.of( emf );
		DeferredWrites deferred = shardwise.deferred();
		deferred.registerHandler( DeferredMember.HANDLER, DeferredMember::appendNote );
		deferred.registerHandler( "rejects", (em, tenant, payload) -> {
			throw new IllegalStateException( "handler rejects " + payload );
		} );
		String bad = deferred.submit( "h-0", "rejects", "bad entry" );
		deferred.submit( "h-0", DeferredMember.HANDLER, "good entry" );

		List<DeferredEntry> parked = Await.until( "the failing entry to be parked", BOUND, () -> {
			deferred.replayNow();
			return deferred.parked();
		}, p -> !p.isEmpty() );
		assertThat( parked ).singleElement().satisfies( e -> {
			assertThat( e.id() ).isEqualTo( bad );
			assertThat( e.status() ).isEqualTo( "PARKED" );
			assertThat( e.attempts() ).isEqualTo( 2 );
			assertThat( e.lastError() ).contains( "IllegalStateException", "handler rejects bad entry" );
		} );
		Await.until( "the entry behind it applied", BOUND, () -> {
			deferred.replayNow();
			return deferred.pendingCount() == 0;
		} );
		try {
			assertThat( scalar( dbs.get( 1 ), "select count(*) from note where text = 'good entry'" ) ).isEqualTo( 1 );
		}
		catch (SQLException e) {
			throw new AssertionError( e );
		}
		assertThat( deferred.requeue( bad ) ).isTrue();
		assertThat( deferred.pending( "h-0" ) ).extracting( DeferredEntry::id ).containsExactly( bad );
		assertThat( deferred.discard( bad ) ).isTrue();
		assertThat( deferred.pendingCount() ).isZero();
		assertThat( deferred.parked() ).isEmpty();
	}

	@Test
	void appliedMarkersOlderThanTheRetentionArePurgedUnlessTheirEntryIsStillQueued() throws SQLException {
		Shardwise shardwise = Shardwise.of( emf );
		DeferredWrites deferred = shardwise.deferred();
		// an entry that a member applied on the shard before dying, so still in the catalog (written as the queue
		// writes it, so that no replay starts before the markers are in place); no member has its handler
		String queued = java.util.UUID.randomUUID().toString();
		Instant now = Instant.now();
		try ( Connection c = catalog().open(); PreparedStatement ps = c.prepareStatement( "insert into shardwise_deferred "
				+ "(id, tenant_id, handler, payload, status, attempts, created_at, updated_at) "
				+ "values (?, 'h-0', 'handler-of-another-member', 'still queued', 'PENDING', 0, ?, ?)" ) ) {
			ps.setString( 1, queued );
			ps.setTimestamp( 2, Timestamp.from( now.minus( Duration.ofDays( 30 ) ) ) );
			ps.setTimestamp( 3, Timestamp.from( now.minus( Duration.ofDays( 30 ) ) ) );
			ps.executeUpdate();
		}
		try ( Connection c = dbs.get( 1 ).open(); Statement st = c.createStatement() ) {
			st.execute( "create table if not exists shardwise_deferred_applied "
					+ "(entry_id varchar(36) not null primary key, applied_at timestamp not null)" );
			try ( PreparedStatement ps = c.prepareStatement( "insert into shardwise_deferred_applied values (?, ?)" ) ) {
				for ( Object[] marker : new Object[][] { { "gone-and-old-1", Duration.ofDays( 30 ) },
						{ "gone-and-old-2", Duration.ofDays( 8 ) }, { queued, Duration.ofDays( 30 ) },
						{ "gone-but-recent", Duration.ofDays( 6 ) } } ) {
					ps.setString( 1, (String) marker[0] );
					ps.setTimestamp( 2, Timestamp.from( now.minus( (Duration) marker[1] ) ) );
					ps.executeUpdate();
				}
			}
		}

		deferred.replayNow();

		assertThat( markers( dbs.get( 1 ) ) ).as( "markers left after the purge (retention 7d by default)" )
				.containsExactlyInAnyOrder( queued, "gone-but-recent" );
		assertThat( deferred.pending( "h-0" ) ).extracting( DeferredEntry::id ).containsExactly( queued );
	}

	private static List<String> markers(DbHandle db) throws SQLException {
		List<String> ids = new ArrayList<>();
		try ( Connection c = db.open(); Statement st = c.createStatement();
				ResultSet rs = st.executeQuery( "select entry_id from shardwise_deferred_applied" ) ) {
			while ( rs.next() ) {
				ids.add( rs.getString( 1 ) );
			}
		}
		return ids;
	}

	private long count(String text) throws SQLException {
		try ( Connection c = dbs.get( 2 ).open(); PreparedStatement ps = c.prepareStatement( "select count(*) from note where text = ?" ) ) {
			ps.setString( 1, text );
			try ( ResultSet rs = ps.executeQuery() ) {
				rs.next();
				return rs.getLong( 1 );
			}
		}
	}

	private List<String> notesInIdOrder(String tenant) throws SQLException {
		try ( Connection c = dbs.get( 2 ).open();
				PreparedStatement ps = c.prepareStatement( "select text from note where tenantId = ? order by id" ) ) {
			ps.setString( 1, tenant );
			List<String> out = new ArrayList<>();
			try ( ResultSet rs = ps.executeQuery() ) {
				while ( rs.next() ) {
					out.add( rs.getString( 1 ) );
				}
			}
			return out;
		}
	}

	private static long scalar(DbHandle db, String sql) throws SQLException {
		try ( Connection c = db.open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery( sql ) ) {
			rs.next();
			return rs.getLong( 1 );
		}
	}

	private static String javaBin() {
		return System.getProperty( "java.home" ) + File.separator + "bin" + File.separator + "java";
	}

	private static BlockingQueue<String> lines(Process p) {
		BlockingQueue<String> q = new LinkedBlockingQueue<>();
		Thread t = new Thread( () -> {
			try ( BufferedReader r = new BufferedReader( new InputStreamReader( p.getInputStream(), StandardCharsets.UTF_8 ) ) ) {
				String line;
				while ( ( line = r.readLine() ) != null ) {
					q.add( line );
				}
			}
			catch (java.io.IOException ignored) {
				// the member died
			}
		}, "member-stdout" );
		t.setDaemon( true );
		t.start();
		return q;
	}

	private static void expectLine(Process p, BlockingQueue<String> out, String expected) throws InterruptedException {
		long deadline = System.nanoTime() + BOUND.toNanos();
		while ( System.nanoTime() - deadline < 0 ) {
			if ( !p.isAlive() && out.isEmpty() ) {
				throw new AssertionError( "member B exited with " + p.exitValue() + " before printing '" + expected + "' (its stderr is above)" );
			}
			String line = out.poll( 1, TimeUnit.SECONDS );
			if ( expected.equals( line ) ) {
				return;
			}
		}
		throw new AssertionError( "member B did not print '" + expected + "' within " + BOUND );
	}
}
