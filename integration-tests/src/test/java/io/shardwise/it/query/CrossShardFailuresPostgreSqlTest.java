package io.shardwise.it.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;

import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shardwise.Shardwise;
import io.shardwise.ShardwiseMeters;
import io.shardwise.ShardwiseSettings;
import io.shardwise.it.fixtures.Await;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.DbHandle;
import io.shardwise.it.fixtures.RequiresDatabase;
import io.shardwise.internal.PoolGuard;
import io.shardwise.internal.ShardwiseRuntime;
import io.shardwise.query.CrossShardQueries;
import io.shardwise.query.CrossShardQueryException;
import io.shardwise.query.PartialResults;
import io.shardwise.query.QueryResult;
import io.shardwise.query.ResultStream;
import io.shardwise.query.ShardFailure;
import io.shardwise.query.ShardQueryFailedException;
import io.shardwise.topology.PlacementStatus;
import io.shardwise.topology.PoolSettings;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;
import io.shardwise.topology.TenantPlacement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Cross-shard queries when shards are down, slow or broken, on 4 PostgreSQL shards: FAIL names the shard, PARTIAL
 * returns the other shards' rows (compared with the single database) and names the missing one; OFFLINE shards are
 * reported without touching any shard; per-shard and overall timeouts cancel the statement on the server (a statement
 * blocked on a lock disappears from {@code pg_stat_activity}); a failure under FAIL, and closing a stream, cancel the
 * shards still running.
 */
@RequiresDatabase(DatabaseKind.POSTGRESQL)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossShardFailuresPostgreSqlTest {
	static final int SHARDS = 4;
	static final String COUNT = "select count(s) from Sale s";
	static final String ROWS = "select s.id, s.tenantId, s.amount from Sale s order by s.id";

	ShardedSales sales;
	CrossShardQueries queries;
	SimpleMeterRegistry meters = new SimpleMeterRegistry();
	final List<Connection> lockHolders = new ArrayList<>();

	@BeforeAll
	void load() throws SQLException {
		sales = ShardedSales.create( DatabaseKind.POSTGRESQL, SalesData.generate( 7L, 40, 4000, SHARDS ), SHARDS,
				Map.of( ShardwiseSettings.METER_REGISTRY, meters ) );
		queries = Shardwise.of( sales.sharded ).crossShard();
	}

	@AfterAll
	void drop() {
		if ( sales != null ) {
			sales.close();
		}
	}

	@AfterEach
	void restore() throws SQLException {
		for ( Connection c : lockHolders ) {
			c.rollback();
			c.close();
		}
		lockHolders.clear();
		for ( int i = 0; i < SHARDS; i++ ) {
			Shard current = sales.store.findShard( ShardedSales.shardName( i ) ).orElseThrow();
			DbHandle h = sales.shardDatabases.get( i );
			if ( current.status() != ShardStatus.ACTIVE || !current.write().jdbcUrl().equals( h.url() ) ) {
				sales.store.replaceShard( current.version(), current.next().write( h.url() ).status( ShardStatus.ACTIVE )
						.pool( PoolSettings.INHERIT ).build() );
			}
		}
		for ( TenantPlacement p : sales.store.placements() ) {
			if ( p.status() != PlacementStatus.ACTIVE ) {
				sales.store.replacePlacement( p.version(), p.withStatus( PlacementStatus.ACTIVE ) );
			}
		}
	}

	@Test
	void offlineShardFailsFastUnderFailAndIsNamedUnderPartial() {
		setStatus( 2, ShardStatus.OFFLINE );
		double routedBefore = routedConnections();

		assertThatThrownBy( () -> queries.allTenants().query( COUNT, Long.class ).list() )
				.isInstanceOf( ShardQueryFailedException.class )
				.hasMessageContaining( "shard 's2'" ).hasMessageContaining( "OFFLINE" ).hasMessageContaining( "PARTIAL" )
				.satisfies( e -> assertThat( ( (ShardQueryFailedException) e ).failures() ).singleElement()
						.satisfies( f -> assertThat( f.kind() ).isEqualTo( ShardFailure.Kind.UNAVAILABLE ) ) );
		assertThat( routedConnections() ).as( "no shard was queried: the OFFLINE shard was known down before starting" )
				.isEqualTo( routedBefore );

		QueryResult<Object[]> partial = queries.allTenants().query( ROWS, Object[].class )
				.partialResults( PartialResults.PARTIAL ).list();
		assertThat( partial.failures() ).singleElement().satisfies( f -> {
			assertThat( f.shard() ).isEqualTo( "s2" );
			assertThat( f.kind() ).isEqualTo( ShardFailure.Kind.UNAVAILABLE );
		} );
		assertThat( partial.isComplete() ).isFalse();
		assertThat( rows( partial.rows() ) ).containsExactlyElementsOf( oracleWithout( ROWS, 2 ) );
		assertThat( partial.rowsFetchedByShard() ).doesNotContainKey( "s2" );

		Long count = queries.allTenants().query( COUNT, Long.class ).partialResults( PartialResults.PARTIAL ).list().rows().get( 0 );
		assertThat( count ).isEqualTo( (Long) oracleWithout( COUNT, 2 ).get( 0 ).get( 0 ) );
	}

	@Test
	void shardWithOpenBreakersIsReportedWithoutBeingQueried() {
		ShardwiseRuntime runtime = sales.sharded.unwrap( SessionFactoryImplementor.class ).getServiceRegistry()
				.requireService( MultiTenantConnectionProvider.class ).unwrap( ShardwiseRuntime.class );
		List<PoolGuard> guards = runtime.requireHandle( "s3" ).guards();
		guards.forEach( g -> g.breaker().transitionToForcedOpenState() );
		try {
			double routedBefore = routedConnections();
			assertThatThrownBy( () -> queries.allTenants().query( COUNT, Long.class ).list() )
					.isInstanceOf( ShardQueryFailedException.class ).hasMessageContaining( "shard 's3'" )
					.hasMessageContaining( "FORCED_OPEN" )
					.satisfies( e -> assertThat( ( (ShardQueryFailedException) e ).failures() ).singleElement()
							.satisfies( f -> assertThat( f.kind() ).isEqualTo( ShardFailure.Kind.UNAVAILABLE ) ) );
			assertThat( routedConnections() ).as( "no shard was queried" ).isEqualTo( routedBefore );

			QueryResult<Object[]> partial = queries.allTenants().query( ROWS, Object[].class )
					.partialResults( PartialResults.PARTIAL ).list();
			assertThat( partial.failures() ).extracting( ShardFailure::shard ).containsExactly( "s3" );
			assertThat( rows( partial.rows() ) ).containsExactlyElementsOf( oracleWithout( ROWS, 3 ) );
		}
		finally {
			guards.forEach( g -> g.breaker().transitionToClosedState() );
		}
	}

	@Test
	void deadEndpointIsNamedUnderFailAndLeftOutUnderPartial() {
		Shard s1 = sales.store.findShard( "s1" ).orElseThrow();
		sales.store.replaceShard( s1.version(), s1.next().write( "jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=1" )
				.pool( PoolSettings.builder().connectionTimeout( Duration.ofMillis( 500 ) ).build() ).build() );

		assertThatThrownBy( () -> queries.allTenants().query( ROWS, Object[].class ).list() )
				.isInstanceOf( ShardQueryFailedException.class )
				.hasMessageContaining( "shard 's1'" ).hasMessageContaining( "no connection after 500 ms" );

		QueryResult<Object[]> partial = queries.allTenants().query( ROWS, Object[].class )
				.partialResults( PartialResults.PARTIAL ).list();
		assertThat( partial.failures() ).singleElement().satisfies( f -> {
			assertThat( f.shard() ).isEqualTo( "s1" );
			assertThat( f.kind() ).isEqualTo( ShardFailure.Kind.ERROR );
			assertThat( f.message() ).contains( "127.0.0.1:1" );
		} );
		assertThat( rows( partial.rows() ) ).containsExactlyElementsOf( oracleWithout( ROWS, 1 ) );
	}

	@Test
	void perShardTimeoutCancelsTheStatementOnTheServer() throws SQLException {
		lockSaleTable( 3 );
		QueryResult<Object[]> partial = queries.allTenants().query( ROWS, Object[].class )
				.shardTimeout( Duration.ofMillis( 1500 ) ).partialResults( PartialResults.PARTIAL ).list();
		assertThat( partial.failures() ).singleElement().satisfies( f -> {
			assertThat( f.shard() ).isEqualTo( "s3" );
			assertThat( f.kind() ).isEqualTo( ShardFailure.Kind.TIMEOUT );
		} );
		assertThat( rows( partial.rows() ) ).containsExactlyElementsOf( oracleWithout( ROWS, 3 ) );
		awaitNoLockWaiters( 3 );

		assertThatThrownBy( () -> queries.allTenants().query( COUNT, Long.class ).shardTimeout( Duration.ofMillis( 1500 ) ).list() )
				.isInstanceOf( ShardQueryFailedException.class ).hasMessageContaining( "shard 's3'" ).hasMessageContaining( "TIMEOUT" );
		awaitNoLockWaiters( 3 );
	}

	@Test
	void overallTimeoutCancelsUnfinishedShards() throws SQLException {
		lockSaleTable( 0 );
		assertThatThrownBy( () -> queries.allTenants().query( ROWS, Object[].class )
				.shardTimeout( Duration.ofMinutes( 5 ) ).timeout( Duration.ofMillis( 1500 ) ).list() )
				.isInstanceOf( ShardQueryFailedException.class )
				.hasMessageContaining( "shard 's0'" ).hasMessageContaining( "overall timeout" );
		awaitNoLockWaiters( 0 );
	}

	@Test
	void aFailureUnderFailCancelsTheOtherShards() throws SQLException {
		lockSaleTable( 3 );
		Shard s1 = sales.store.findShard( "s1" ).orElseThrow();
		sales.store.replaceShard( s1.version(), s1.next().write( "jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=1" )
				.pool( PoolSettings.builder().connectionTimeout( Duration.ofMillis( 500 ) ).build() ).build() );
		assertThatThrownBy( () -> queries.allTenants().query( ROWS, Object[].class ).shardTimeout( Duration.ofMinutes( 5 ) )
				.timeout( Duration.ofMinutes( 5 ) ).list() )
				.isInstanceOf( ShardQueryFailedException.class ).hasMessageContaining( "shard 's1'" );
		// s3's statement, blocked on the lock and far from its timeouts, was cancelled because s1 failed
		awaitNoLockWaiters( 3 );
	}

	@Test
	void closingAStreamCancelsTheShardsStillRunning() throws SQLException {
		lockSaleTable( 2 );
		List<Object[]> read = new ArrayList<>();
		try ( ResultStream<Object[]> stream = queries.allTenants().query( "select s.id, s.tenantId from Sale s", Object[].class )
				.shardTimeout( Duration.ofMinutes( 5 ) ).timeout( Duration.ofMinutes( 5 ) ).stream() ) {
			for ( int i = 0; i < 10 && stream.hasNext(); i++ ) {
				read.add( stream.next() );
			}
			// s2's statement may start only after the first rows of the other shards arrived: wait for it to block
			await( () -> lockWaiters( 2 ) == 1, "s2's statement to wait for the lock while the other shards stream" );
		}
		assertThat( read ).hasSize( 10 );
		awaitNoLockWaiters( 2 );
	}

	@Test
	void suspendedTenantIsNamedUnderFailAndLeftOutUnderPartial() {
		String tenant = sales.data.tenants.get( 3 );
		TenantPlacement p = sales.store.findPlacement( tenant ).orElseThrow();
		sales.store.replacePlacement( p.version(), p.withStatus( PlacementStatus.SUSPENDED ) );

		assertThatThrownBy( () -> queries.allTenants().query( COUNT, Long.class ).list() )
				.isInstanceOf( ShardQueryFailedException.class ).hasMessageContaining( tenant ).hasMessageContaining( "SUSPENDED" );
		QueryResult<Long> partial = queries.allTenants().query( COUNT, Long.class ).partialResults( PartialResults.PARTIAL ).list();
		assertThat( partial.failures() ).singleElement()
				.satisfies( f -> assertThat( f.kind() ).isEqualTo( ShardFailure.Kind.TENANT_UNAVAILABLE ) );
		assertThat( partial.rows().get( 0 ) )
				.isEqualTo( sales.data.rows.stream().filter( r -> !r.tenant().equals( tenant ) ).count() );
	}

	@Test
	void orderedMergeNeedsEveryShardAtOnceUnlessTheLimitFitsTheBuffer() {
		assertThatThrownBy( () -> queries.allTenants().query( ROWS, Object[].class ).maxConcurrentShards( 2 ).list() )
				.isInstanceOf( CrossShardQueryException.class ).hasMessageContaining( "maxConcurrentShards is 2" )
				.hasMessageContaining( "raise maxConcurrentShards to 4" );
		// with a limit the shards' rows fit the buffer: two at a time is fine
		QueryResult<Object[]> top = queries.allTenants().query( ROWS, Object[].class ).maxConcurrentShards( 2 ).maxResults( 25 ).list();
		assertThat( rows( top.rows() ) ).containsExactlyElementsOf( oracle( ROWS, 25 ) );
		// concatenation needs no such thing
		QueryResult<Long> one = queries.allTenants().query( "select s.id from Sale s", Long.class ).maxConcurrentShards( 1 ).list();
		assertThat( one.rows() ).hasSize( sales.data.rows.size() );
	}

	// ---------------------------------------------------------------- helpers

	private void setStatus(int shard, ShardStatus status) {
		Shard s = sales.store.findShard( ShardedSales.shardName( shard ) ).orElseThrow();
		sales.store.replaceShard( s.version(), s.next().status( status ).build() );
	}

	private double routedConnections() {
		return meters.find( ShardwiseMeters.ROUTED_CONNECTIONS ).counters().stream().mapToDouble( c -> c.count() ).sum();
	}

	/** Holds an exclusive lock on shard {@code i}'s sale table until the test ends: its queries block. */
	private void lockSaleTable(int i) throws SQLException {
		Connection c = sales.shardDatabases.get( i ).open();
		c.setAutoCommit( false );
		try ( Statement st = c.createStatement() ) {
			st.execute( "lock table sale in access exclusive mode" );
		}
		lockHolders.add( c );
	}

	private long lockWaiters(int i) {
		try ( Connection c = sales.shardDatabases.get( i ).open();
				PreparedStatement ps = c.prepareStatement( "select count(*) from pg_stat_activity where datname = ? "
						+ "and state = 'active' and wait_event_type = 'Lock'" ) ) {
			ps.setString( 1, sales.shardDatabases.get( i ).name() );
			try ( ResultSet rs = ps.executeQuery() ) {
				rs.next();
				return rs.getLong( 1 );
			}
		}
		catch (SQLException e) {
			throw new IllegalStateException( e );
		}
	}

	/** Polls (at most 15 s) until no statement of shard {@code i} waits for a lock: it was cancelled on the server. */
	private void awaitNoLockWaiters(int i) {
		await( () -> lockWaiters( i ) == 0, "the blocked statement on shard s" + i + " to be cancelled" );
	}

	static void await(BooleanSupplier condition, String what) {
		Await.until( what, Duration.ofSeconds( 15 ), condition );
	}

	private List<List<Object>> oracleWithout(String hql, int shard) {
		List<String> excluded = sales.data.tenants.stream().filter( t -> sales.data.placement.get( t ) == shard ).toList();
		String filtered = hql.contains( "order by" )
				? hql.replace( " order by", " where s.tenantId not in :excluded order by" )
				: hql + " where s.tenantId not in :excluded";
		EntityManager em = sales.oracle.createEntityManager();
		try {
			TypedQuery<Object> q = em.createQuery( filtered, Object.class );
			q.setParameter( "excluded", excluded );
			return rows( q.getResultList() );
		}
		finally {
			em.close();
		}
	}

	private List<List<Object>> oracle(String hql, int max) {
		EntityManager em = sales.oracle.createEntityManager();
		try {
			return rows( em.createQuery( hql, Object.class ).setMaxResults( max ).getResultList() );
		}
		finally {
			em.close();
		}
	}

	static List<List<Object>> rows(List<?> rows) {
		List<List<Object>> out = new ArrayList<>();
		for ( Object r : rows ) {
			out.add( r instanceof Object[] a ? Arrays.asList( a ) : Collections.singletonList( r ) );
		}
		return out;
	}
}
