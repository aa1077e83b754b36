package io.shardwise.it.fault;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import org.hibernate.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shardwise.ShardEvent;
import io.shardwise.ShardUnavailableException;
import io.shardwise.Shardwise;
import io.shardwise.ShardwiseMeters;
import io.shardwise.ShardwiseSettings;
import io.shardwise.it.fixtures.Await;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.DbHandle;
import io.shardwise.it.fixtures.FaultProxy;
import io.shardwise.it.fixtures.RequiresDatabase;
import io.shardwise.it.fixtures.ShardDatabases;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.testing.Note;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardRole;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real faults on real PostgreSQL shards, injected by {@link FaultProxy}s between the pools and the server: one of four
 * shards is cut (connections refused) or black-holed (connections accepted, never answered) under concurrent load;
 * a replica goes down under read-only sessions.
 */
@RequiresDatabase(DatabaseKind.POSTGRESQL)
class ShardFaultIsolationPostgreSqlTest {
	/** PostgreSQL driver timeouts (seconds) short enough for a black hole to show as timeouts within the test. */
	private static final String PG_TIMEOUTS = "connectTimeout=1&loginTimeout=1&socketTimeout=1";
	private static final Duration BOUND = Duration.ofSeconds( 20 );

	private final List<AutoCloseable> closeables = new ArrayList<>();
	private final List<ShardEvent> events = new CopyOnWriteArrayList<>();
	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
	private EntityManagerFactory emf;
	private Shardwise shardwise;

	@AfterEach
	void stop() throws Exception {
		if ( emf != null ) {
			emf.close();
		}
		for ( int i = closeables.size() - 1; i >= 0; i-- ) {
			closeables.get( i ).close();
		}
	}

	private <T extends AutoCloseable> T closeLater(T c) {
		closeables.add( c );
		return c;
	}

	private String through(FaultProxy proxy, DbHandle db) {
		return proxy.rewrite( db.url() ) + ( db.url().contains( "?" ) ? "&" : "?" ) + PG_TIMEOUTS;
	}

	private void boot(InMemoryTopologyStore store) {
		Map<String, Object> props = new HashMap<>();
		props.put( ShardwiseSettings.TOPOLOGY_STORE, store );
		props.put( ShardwiseSettings.METER_REGISTRY, meters );
		props.put( ShardwiseSettings.POOL_MAXIMUM_SIZE, "4" );
		props.put( ShardwiseSettings.POOL_MINIMUM_IDLE, "0" );
		props.put( ShardwiseSettings.POOL_CONNECTION_TIMEOUT, "500ms" );
		// only a health check ends an open breaker here, so the test decides when: no scheduled checks
		props.put( ShardwiseSettings.BREAKER_WAIT_IN_OPEN, "10m" );
		props.put( ShardwiseSettings.HEALTH_INTERVAL, "0" );
		props.put( ShardwiseSettings.HEALTH_TIMEOUT, "1s" );
		emf = Persistence.createEntityManagerFactory( "shardwise-core-test", props );
		shardwise = Shardwise.of( emf );
		closeLater( shardwise.addEventListener( events::add ) );
	}

	private void write(String tenant) {
		try ( Session s = shardwise.openSession( tenant ) ) {
			s.beginTransaction();
			s.persist( new Note( "note of " + tenant ) );
			s.getTransaction().commit();
		}
	}

	private List<ShardEvent.BreakerStateChanged> transitions(String pool) {
		return events.stream().filter( e -> e instanceof ShardEvent.BreakerStateChanged b && b.pool().equals( pool ) )
				.map( e -> (ShardEvent.BreakerStateChanged) e ).toList();
	}

	enum Fault { CUT, BLACK_HOLE }

	@ParameterizedTest
	@EnumSource(Fault.class)
	void aDeadShardFailsFastWhileTheOthersSeeNoErrorsAndComesBackWithoutRestart(Fault fault) throws SQLException {
		ShardDatabases dbs = closeLater( ShardDatabases.create( DatabaseKind.POSTGRESQL, "fault", 4 ) );
		InMemoryTopologyStore store = new InMemoryTopologyStore();
		List<FaultProxy> proxies = new ArrayList<>();
		Map<String, List<String>> tenants = new HashMap<>();
		for ( int i = 0; i < 4; i++ ) {
			FaultProxy proxy = closeLater( FaultProxy.forUrl( dbs.get( i ).url(), 5432 ) );
			proxies.add( proxy );
			store.addShard( Shard.builder( "s" + i ).write( through( proxy, dbs.get( i ) ) ).build() );
			List<String> onShard = new ArrayList<>();
			for ( int t = 0; t < 8; t++ ) {
				String tenant = "s" + i + "-t" + t;
				store.placeIfAbsent( TenantPlacement.of( tenant, "s" + i, TenantTier.SMALL ) );
				onShard.add( tenant );
			}
			tenants.put( "s" + i, onShard );
		}
		boot( store );
		for ( List<String> ts : tenants.values() ) {
			ts.forEach( this::write );
		}
		List<String> healthyTenants = new ArrayList<>();
		for ( int i = 0; i < 3; i++ ) {
			healthyTenants.addAll( tenants.get( "s" + i ) );
		}
		List<String> deadTenants = tenants.get( "s3" );

		try ( Load healthy = Load.start( "healthy", 4, healthyTenants, 0, this::write ) ) {
			Await.until( "load on the healthy shards", BOUND, () -> healthy.ok.sum() >= 40 );

			// the fault
			FaultProxy dead = proxies.get( 3 );
			if ( fault == Fault.CUT ) {
				dead.cut();
			}
			else {
				dead.blackHole();
			}

			// sessions of the dead shard, one after the other: exactly 3 failed acquisitions open the breaker
			int acquisitionFailures = 0;
			int otherFailures = 0;
			ShardUnavailableException refused = null;
			for ( int i = 0; i < 30 && refused == null; i++ ) {
				try {
					write( deadTenants.get( i % deadTenants.size() ) );
					throw new AssertionError( "a session of the " + fault + " shard s3 succeeded" );
				}
				catch (RuntimeException e) {
					if ( Shardwise.isShardUnavailable( e ) ) {
						refused = findCause( e, ShardUnavailableException.class );
					}
					else if ( Load.isAcquisitionFailure( e ) ) {
						acquisitionFailures++;
					}
					else {
						otherFailures++; // a pooled connection that died with the shard, failing its first statement
					}
				}
			}
			assertThat( refused ).as( "a session refused by the open breaker" ).isNotNull();
			assertThat( acquisitionFailures ).as( "failed acquisitions before the breaker opened" ).isEqualTo( 3 );
			assertThat( otherFailures ).as( "stale pooled connections (at most the pool size)" ).isLessThanOrEqualTo( 4 );
			assertThat( refused.shard() ).isEqualTo( "s3" );
			assertThat( refused.role() ).isEqualTo( ShardRole.WRITE );
			assertThat( refused.breakerState() ).isEqualTo( "OPEN" );
			assertThat( refused.getMessage() ).contains( "shard 's3' WRITE", "circuit breaker OPEN", "last cause: shard 's3' WRITE" );
			assertThat( refused.getCause() ).as( "the last cause" ).isNotNull();
			assertThat( transitions( "shardwise-s3-write" ) ).singleElement().satisfies( b -> {
				assertThat( b.from() ).isEqualTo( "CLOSED" );
				assertThat( b.to() ).isEqualTo( "OPEN" );
				assertThat( b.lastCause() ).isNotNull();
			} );
			assertThat( meters.get( ShardwiseMeters.BREAKER_STATE ).tags( "pool", "shardwise-s3-write", "state", "open" ).gauge().value() )
					.isEqualTo( 1.0 );

			// concurrent sessions of the dead shard: every one refused at once, none waits for the pool
			Load deadLoad = Load.start( "dead", 3, deadTenants, 40, this::write );
			deadLoad.join();
			assertThat( deadLoad.refused.sum() ).as( "dead-shard sessions refused: %s", deadLoad ).isEqualTo( 120 );
			assertThat( deadLoad.ok.sum() + deadLoad.failed.sum() ).as( "%s", deadLoad ).isZero();
			assertThat( meters.get( ShardwiseMeters.BREAKER_NOT_PERMITTED ).tags( "pool", "shardwise-s3-write" ).functionCounter().count() )
					.isGreaterThanOrEqualTo( 121 );

			// the shard comes back: a health check closes the breaker, and its tenants are served again, no restart
			dead.restore();
			Await.until( "the breaker of s3 to close after a passing health check", BOUND, () -> {
				shardwise.checkHealth();
				return "CLOSED".equals( shardwise.breakerStates().get( "shardwise-s3-write" ) );
			} );
			assertThat( transitions( "shardwise-s3-write" ) ).extracting( ShardEvent.BreakerStateChanged::to )
					.containsExactly( "OPEN", "HALF_OPEN", "CLOSED" );
			try ( Load back = Load.start( "back", 2, deadTenants, 20, this::write ) ) {
				back.join();
				assertThat( back.ok.sum() ).as( "sessions of s3 after it came back: %s", back ).isEqualTo( 40 );
			}
			long healthyBefore = healthy.ok.sum();
			Await.until( "more load on the healthy shards", BOUND, () -> healthy.ok.sum() >= healthyBefore + 20 );
			healthy.stop();
			assertThat( healthy.failed.sum() + healthy.refused.sum() ).as( "errors on the 3 healthy shards: %s", healthy ).isZero();

			// every success is a committed row on its shard, and nothing else is
			long rows = 0;
			for ( int i = 0; i < 3; i++ ) {
				rows += count( dbs.get( i ) );
			}
			assertThat( rows ).isEqualTo( healthy.ok.sum() + healthyTenants.size() );
			assertThat( count( dbs.get( 3 ) ) ).isEqualTo( deadTenants.size() + 40 );
		}
	}

	@Test
	void readOnlySessionsMoveToTheOtherReplicaThenToThePrimary() throws SQLException {
		ShardDatabases dbs = closeLater( ShardDatabases.create( DatabaseKind.POSTGRESQL, "replica", 3 ) );
		DbHandle primary = dbs.get( 0 );
		FaultProxy r0 = closeLater( FaultProxy.forUrl( dbs.get( 1 ).url(), 5432 ) );
		FaultProxy r1 = closeLater( FaultProxy.forUrl( dbs.get( 2 ).url(), 5432 ) );
		// the replicas are separate databases here (no streaming replication on this server): give each the table and
		// a row only it has, so that a read tells where it was served
		for ( int i = 1; i <= 2; i++ ) {
			try ( Connection c = dbs.get( i ).open(); Statement st = c.createStatement() ) {
				st.execute( "create table note (id bigint primary key, tenantId varchar(255), text varchar(255))" );
				st.execute( "insert into note values (1, 'reader', 'replica-" + ( i - 1 ) + "')" );
			}
		}
		InMemoryTopologyStore store = new InMemoryTopologyStore();
		store.addShard( Shard.builder( "r" ).write( primary.url() )
				.addRead( through( r0, dbs.get( 1 ) ) ).addRead( through( r1, dbs.get( 2 ) ) ).build() );
		store.placeIfAbsent( TenantPlacement.of( "reader", "r", TenantTier.SMALL ) );
		boot( store );
		try ( Session s = shardwise.openSession( "reader" ) ) {
			s.beginTransaction();
			s.persist( new Note( "primary" ) );
			s.getTransaction().commit();
		}

		List<String> served = new ArrayList<>();
		for ( int i = 0; i < 10; i++ ) {
			served.add( read() );
		}
		assertThat( served ).allMatch( s -> s.startsWith( "replica-" ) );

		// replica 0 down: read-only sessions are served by replica 1, until and after replica 0's breaker opens. Only a
		// session that had already been handed a pooled replica-0 connection (used within HikariCP's 500 ms
		// no-validation window, so not re-checked) fails, at its first statement: at most the pool size of them
		r0.cut();
		int stale = readUntilOpen( "shardwise-r-read-0", "replica-1" );
		assertThat( stale ).as( "reads failing on replica-0 connections that were open when it died" ).isLessThanOrEqualTo( 4 );
		for ( int i = 0; i < 10; i++ ) {
			assertThat( read() ).isEqualTo( "replica-1" );
		}

		// both replicas down: the primary serves them (read-only)
		r1.blackHole();
		stale = readUntilOpen( "shardwise-r-read-1", "primary" );
		assertThat( stale ).as( "reads failing on replica-1 connections that were open when it went silent" ).isLessThanOrEqualTo( 4 );
		assertThat( shardwise.breakerStates() ).containsEntry( "shardwise-r-read-0", "OPEN" ).containsEntry( "shardwise-r-write", "CLOSED" );
		for ( int i = 0; i < 10; i++ ) {
			assertThat( read() ).isEqualTo( "primary" );
		}
		assertThat( meters.get( ShardwiseMeters.ROUTED_CONNECTIONS ).tags( "shard", "r", "role", "write" ).counter().count() )
				.isGreaterThanOrEqualTo( 11 );

		// back: the replicas serve again
		r0.restore();
		r1.restore();
		Await.until( "both replica breakers to close", BOUND, () -> {
			shardwise.checkHealth();
			return "CLOSED".equals( shardwise.breakerStates().get( "shardwise-r-read-0" ) )
					&& "CLOSED".equals( shardwise.breakerStates().get( "shardwise-r-read-1" ) );
		} );
		served.clear();
		for ( int i = 0; i < 10; i++ ) {
			served.add( read() );
		}
		assertThat( served ).allMatch( s -> s.startsWith( "replica-" ) );
	}

	/** Reads until the pool's breaker is open; every read served must come from {@code expected}; returns the failed reads. */
	private int readUntilOpen(String pool, String expected) {
		int failed = 0;
		for ( int i = 0; i < 60 && !"OPEN".equals( shardwise.breakerStates().get( pool ) ); i++ ) {
			String served;
			try {
				served = read();
			}
			catch (RuntimeException e) {
				assertThat( Load.isAcquisitionFailure( e ) || Shardwise.isShardUnavailable( e ) )
						.as( "a read failed at acquisition instead of falling back: %s", e ).isFalse();
				failed++;
				continue;
			}
			assertThat( served ).isEqualTo( expected );
		}
		assertThat( shardwise.breakerStates() ).containsEntry( pool, "OPEN" );
		return failed;
	}

	private String read() {
		return shardwise.readOnly( "reader", em -> em.createQuery( "select n.text from Note n", String.class ).getSingleResult() );
	}

	private static long count(DbHandle db) throws SQLException {
		try ( Connection c = db.open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery( "select count(*) from note" ) ) {
			rs.next();
			return rs.getLong( 1 );
		}
	}

	private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
		for ( Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause() ) {
			if ( type.isInstance( t ) ) {
				return type.cast( t );
			}
		}
		throw new AssertionError( "no " + type.getSimpleName() + " in the causes of " + e, e );
	}
}
