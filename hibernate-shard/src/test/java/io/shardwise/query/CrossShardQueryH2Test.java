package io.shardwise.query;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.shardwise.Shardwise;
import io.shardwise.ShardwiseSettings;
import io.shardwise.ShardwiseTenantResolver;
import io.shardwise.TenantContext;
import io.shardwise.UnknownTenantException;
import io.shardwise.internal.ShardSessionIds;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.testing.Note;
import io.shardwise.topology.Endpoint;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Cross-shard queries on three embedded H2 shards: which endpoint and which tenants a shard session reads, the
 * {@code @TenantId} filter's role, rejection of queries that cannot be merged exactly, and the memory bounds.
 * (Exactness against a single database is proven by the oracle tests in {@code integration-tests}.)
 */
class CrossShardQueryH2Test {
	private final String run = UUID.randomUUID().toString().substring( 0, 8 );
	private InMemoryTopologyStore store;
	private EntityManagerFactory emf;
	private CrossShardQueries queries;

	private String url(String db) {
		return "jdbc:h2:mem:" + db + "-" + run + ";DB_CLOSE_DELAY=-1";
	}

	@BeforeEach
	void start() throws SQLException {
		store = new InMemoryTopologyStore();
		for ( String shard : List.of( "s1", "s2", "s3" ) ) {
			store.addShard( Shard.builder( shard ).write( url( shard ) ).build() );
		}
		Map<String, Object> props = new HashMap<>();
		props.put( ShardwiseSettings.TOPOLOGY_STORE, store );
		emf = Persistence.createEntityManagerFactory( "shardwise-core-test", props );
		queries = Shardwise.of( emf ).crossShard();
	}

	@AfterEach
	void stop() {
		if ( emf != null ) {
			emf.close();
		}
	}

	private void place(String tenant, String shard, String... texts) {
		store.placeIfAbsent( TenantPlacement.of( tenant, shard, TenantTier.SMALL ) );
		TenantContext.run( tenant, () -> {
			EntityManager em = emf.createEntityManager();
			em.getTransaction().begin();
			for ( String t : texts ) {
				em.persist( new Note( t ) );
			}
			em.getTransaction().commit();
			em.close();
		} );
	}

	private void insert(String db, long id, String tenant, String text) throws SQLException {
		try ( Connection c = DriverManager.getConnection( url( db ) ); Statement st = c.createStatement() ) {
			st.execute( "insert into note (id, tenantId, text) values (" + id + ", '" + tenant + "', '" + text + "')" );
		}
	}

	private void standardData() {
		for ( int i = 0; i < 12; i++ ) {
			place( "t" + i, "s" + ( 1 + i % 3 ), "a" + ( i % 3 ), "b" + i, null );
		}
	}

	@Test
	void shardSessionsReadTheAnalyticsEndpointElseAReplicaElseThePrimary() throws SQLException {
		place( "a1", "s1", "primary of s1" );
		place( "a2", "s2", "primary of s2" );
		place( "a3", "s3", "primary of s3" );
		// now s1 gets an analytics endpoint and s2 a replica (separate databases with a marker row each)
		for ( String db : List.of( "s1-analytics", "s2-replica" ) ) {
			try ( Connection c = DriverManager.getConnection( url( db ) ); Statement st = c.createStatement() ) {
				st.execute( "create table note (id bigint primary key, tenantId varchar(255), text varchar(255))" );
			}
		}
		Shard s1 = store.findShard( "s1" ).orElseThrow();
		store.replaceShard( s1.version(), s1.next().analytics( Endpoint.of( url( "s1-analytics" ) ) ).build() );
		Shard s2 = store.findShard( "s2" ).orElseThrow();
		store.replaceShard( s2.version(), s2.next().addRead( url( "s2-replica" ) ).build() );
		insert( "s1-analytics", 1, "a1", "analytics of s1" );
		insert( "s2-replica", 1, "a2", "replica of s2" );

		List<String> texts = queries.allTenants().query( "select n.text from Note n order by n.text", String.class ).list().rows();
		assertThat( texts ).containsExactly( "analytics of s1", "primary of s3", "replica of s2" );
		// tenant scopes too
		assertThat( queries.tenants( "a1", "a2" ).query( "select n.text from Note n order by n.text", String.class ).list().rows() )
				.containsExactly( "analytics of s1", "replica of s2" );
		// and callbacks
		assertThat( queries.allTenants().call( s -> s.createQuery( "select n.text from Note n", String.class ).getResultList() )
				.list().rows() ).containsExactlyInAnyOrder( "analytics of s1", "replica of s2", "primary of s3" );
	}

	@Test
	void shardSessionsAreNotCountedAsRouteCacheLookups() {
		standardData();
		Shardwise shardwise = Shardwise.of( emf );
		long requests = shardwise.cacheStatistics().get( "requests" );
		long hits = shardwise.cacheStatistics().get( "hits" );
		assertThat( queries.allTenants().query( "select count(n) from Note n", Long.class ).singleResult() ).isEqualTo( 36L );
		assertThat( shardwise.cacheStatistics() ).containsEntry( "requests", requests ).containsEntry( "hits", hits );
		// a tenant set looks its tenants' placements up (two cached routes: two hits); its shard sessions count nothing
		assertThat( queries.tenants( "t1", "t2" ).query( "select count(n) from Note n", Long.class ).singleResult() ).isEqualTo( 6L );
		assertThat( shardwise.cacheStatistics() ).containsEntry( "requests", requests + 2 ).containsEntry( "hits", hits + 2 );
	}

	@Test
	void onlyAllTenantsSessionsAreRoot() {
		ShardwiseTenantResolver resolver = new ShardwiseTenantResolver();
		assertThat( resolver.isRoot( ShardSessionIds.allTenants( "s1" ) ) ).isTrue();
		assertThat( resolver.isRoot( ShardSessionIds.tenantSubset( "s1" ) ) ).isFalse();
		assertThat( resolver.isRoot( "acme" ) ).isFalse();
		assertThat( resolver.isRoot( ShardwiseTenantResolver.NO_TENANT ) ).isFalse();
	}

	@Test
	void aTenantSetOnASharedShardSeesOnlyThoseTenants() {
		place( "x", "s3", "x1", "x2" );
		place( "y", "s3", "y1" );
		place( "z", "s3", "z1", "z2", "z3" );
		assertThat( queries.tenants( "x", "z" ).query( "select n.tenantId, count(n) from Note n group by n.tenantId order by n.tenantId",
				Object[].class ).list().rows() ).containsExactly( new Object[] { "x", 2L }, new Object[] { "z", 3L } );
		assertThat( queries.tenants( "y" ).query( "from Note n", Note.class ).list().rows() )
				.extracting( Note::getText ).containsExactly( "y1" );
		assertThat( queries.allTenants().query( "select count(n) from Note n", Long.class ).singleResult() ).isEqualTo( 6L );

		// a tenant-subset session without the restriction the engine applies sees nothing: it fails closed
		try ( Session s = emf.unwrap( SessionFactory.class ).withOptions()
				.tenantIdentifier( (Object) ShardSessionIds.tenantSubset( "s3" ) ).readOnly( true ).openSession() ) {
			assertThat( s.createQuery( "from Note n", Note.class ).getResultList() ).isEmpty();
		}
	}

	@Test
	void rowsOfTenantsPlacedElsewhereAreNotCounted() throws SQLException {
		place( "mover", "s2", "m1", "m2" );
		// the rows of "mover" were copied to s3 by a move that has not switched its placement yet
		try ( Connection c = DriverManager.getConnection( url( "s3" ) ); Statement st = c.createStatement() ) {
			st.execute( "insert into note (id, tenantId, text) values (9001, 'mover', 'm1'), (9002, 'mover', 'm2')" );
		}
		assertThat( queries.allTenants().query( "select count(n) from Note n where n.tenantId = 'mover'", Long.class ).singleResult() )
				.isEqualTo( 2L );
		// the move switches its placement: now s3's copy counts and s2's leftover does not
		TenantPlacement p = store.findPlacement( "mover" ).orElseThrow();
		store.replacePlacement( p.version(), p.movedTo( "s3" ) );
		QueryResult<Long> ids = queries.allTenants().query( "select n.id from Note n where n.tenantId = 'mover' order by n.id", Long.class ).list();
		assertThat( ids.rows() ).containsExactly( 9001L, 9002L );
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"select n.text, count(distinct n.id) from Note n group by n.text | count(distinct n.id)",
			"select listagg(n.text, ',') from Note n | only count, sum, min, max and avg",
			"select n.text, row_number() over (order by n.id) from Note n | window function",
			"select n.text from Note n where n.id > (select avg(m.id) from Note m) | subquery in WHERE",
			"select n.text from Note n union select m.text from Note m | UNION, INTERSECT or EXCEPT",
			"select n.text, count(n) from Note n group by n.text having count(n) > 1 | HAVING with an aggregate",
			"select sum(n.id) * 2 from Note n | expression over an aggregate",
			"select n.text from Note n order by n.text fetch first 2 rows with ties | WITH_TIES",
			"select avg(n.id) filter (where n.text is null) from Note n | FILTER",
			"select n.text from Note n, Note m where n.id = m.id | several roots in FROM",
			"select n.text, count(n) from Note n group by rollup(n.text) | ROLLUP",
			"select n.text from Note n order by count(n) | there are no groups to order",
			"select distinct n.text from Note n order by n.id | with SELECT DISTINCT",
			"select n from Note n order by n | ordering by an entity",
			"select new io.shardwise.testing.Note(n.text), n.id from Note n | beside other selections",
			"select new list(new io.shardwise.testing.Note(n.text), n.id) from Note n | nested 'select new",
	})
	void queriesThatCannotBeMergedExactlyAreRejected(String hql, String reason) {
		standardData();
		assertThatThrownBy( () -> queries.allTenants().query( hql, Object.class ).list() )
				.isInstanceOf( UnmergeableQueryException.class )
				.hasMessageStartingWith( "cross-shard query cannot be merged exactly" )
				.hasMessageContaining( reason );
	}

	@Test
	void selectNewConstructsObjectsFromTheMergedRows() {
		standardData();
		// texts: a0, a1, a2 four times each, b0..b11 once, NULL twelve times (H2: NULLs first)
		String hql = "select new io.shardwise.query.TextCount(n.text, count(n)) from Note n group by n.text "
				+ "order by count(n) desc, n.text nulls last limit 4";
		assertThat( queries.allTenants().query( hql, TextCount.class ).list().rows() ).containsExactly(
				new TextCount( null, 12 ), new TextCount( "a0", 4 ), new TextCount( "a1", 4 ), new TextCount( "a2", 4 ) );
		assertThat( queries.allTenants().query( hql, TextCount.class ).explain() )
				.contains( "groups merged in memory by key" ).contains( "each merged row constructs new io.shardwise.query.TextCount(...)" );
		// a supertype as the result type; rows merged in ORDER BY order, then constructed
		assertThat( queries.allTenants().query( "select new io.shardwise.query.TextCount(n.text, n.id) from Note n "
				+ "where n.text like 'b1%' order by n.text", Object.class ).list().rows() )
				.extracting( r -> ( (TextCount) r ).text() ).containsExactly( "b1", "b10", "b11" );

		// criteria: cb.construct
		var cb = emf.getCriteriaBuilder();
		var cq = cb.createQuery( TextCount.class );
		var n = cq.from( Note.class );
		cq.select( cb.construct( TextCount.class, n.get( "text" ), cb.count( n ) ) ).where( cb.like( n.get( "text" ), "a%" ) )
				.groupBy( n.get( "text" ) ).orderBy( cb.desc( n.get( "text" ) ) );
		assertThat( queries.allTenants().query( cq ).list().rows() ).containsExactly(
				new TextCount( "a2", 4 ), new TextCount( "a1", 4 ), new TextCount( "a0", 4 ) );
	}

	@Test
	void selectNewMapAndList() {
		standardData();
		List<Map> maps = queries.allTenants().query( "select new map(n.text as text, count(n) as c) from Note n "
				+ "where n.text like 'a%' group by n.text order by n.text", Map.class ).list().rows();
		assertThat( maps ).containsExactly( Map.of( "text", "a0", "c", 4L ), Map.of( "text", "a1", "c", 4L ), Map.of( "text", "a2", "c", 4L ) );
		List<List> lists = queries.allTenants().query( "select new list(n.text, count(n)) from Note n "
				+ "where n.text like 'a%' group by n.text order by n.text desc limit 2", List.class ).list().rows();
		assertThat( lists ).containsExactly( List.of( "a2", 4L ), List.of( "a1", 4L ) );
		assertThatThrownBy( () -> queries.allTenants().query( "select new map(n.text, n.id as id) from Note n", Map.class ).list() )
				.isInstanceOf( IllegalArgumentException.class ).hasMessageContaining( "must have an alias" ).hasMessageContaining( "[1]" );
	}

	@Test
	void selectNewWithoutAMatchingConstructorIsAClearError() {
		standardData();
		// criteria: resolved by the planner, as Hibernate resolves it (count, then assignable types)
		var cb = emf.getCriteriaBuilder();
		var cq = cb.createQuery( TextCount.class );
		var n = cq.from( Note.class );
		cq.select( cb.construct( TextCount.class, n.get( "text" ), n.get( "text" ) ) );
		assertThatThrownBy( () -> queries.allTenants().query( cq ).list() )
				.isInstanceOf( IllegalArgumentException.class ).hasMessageContaining( "io.shardwise.query.TextCount" )
				.hasMessageContaining( "(java.lang.String, java.lang.String)" ).hasMessageContaining( "(java.lang.String, long)" );
		// HQL: Hibernate checks while parsing
		assertThatThrownBy( () -> queries.allTenants().query( "select new io.shardwise.query.TextCount(n.text, n.text) from Note n",
				TextCount.class ).list() )
				.isInstanceOf( IllegalArgumentException.class ).hasMessageContaining( "'select new'" ).hasMessageContaining( "TextCount" );
		assertThatThrownBy( () -> queries.allTenants().query( "select new io.shardwise.query.TextCount(n.text, n.id) from Note n",
				String.class ).list() )
				.isInstanceOf( IllegalArgumentException.class ).hasMessageContaining( "result type must be io.shardwise.query.TextCount" );
	}

	@Test
	void tupleResultsWorkLikeHibernates() {
		standardData();
		List<jakarta.persistence.Tuple> tuples = queries.allTenants().query( "select n.text as text, count(n) as c from Note n "
				+ "where n.text like 'a%' group by n.text order by count(n) desc, n.text desc", jakarta.persistence.Tuple.class ).list().rows();
		assertThat( tuples ).hasSize( 3 );
		jakarta.persistence.Tuple first = tuples.get( 0 );
		assertThat( first.get( "text" ) ).isEqualTo( "a2" );
		assertThat( first.get( "c", Long.class ) ).isEqualTo( 4L );
		assertThat( first.get( 0 ) ).isEqualTo( "a2" );
		assertThat( first.get( 1, Long.class ) ).isEqualTo( 4L );
		assertThat( first.toArray() ).containsExactly( "a2", 4L );
		assertThat( first.getElements() ).extracting( jakarta.persistence.TupleElement::getAlias ).containsExactly( "text", "c" );
		assertThat( first.getElements() ).extracting( e -> (Object) e.getJavaType() ).containsExactly( String.class, Long.class );
		assertThat( first.get( first.getElements().get( 1 ) ) ).isEqualTo( 4L );
		assertThat( tuples ).extracting( t -> t.get( "text" ) ).containsExactly( "a2", "a1", "a0" );
		assertThatThrownBy( () -> first.get( "nope" ) ).isInstanceOf( IllegalArgumentException.class );
		assertThatThrownBy( () -> first.get( 0, Long.class ) ).isInstanceOf( IllegalArgumentException.class );

		// criteria tuple query, one value
		var cb = emf.getCriteriaBuilder();
		var cq = cb.createTupleQuery();
		var n = cq.from( Note.class );
		cq.multiselect( n.get( "text" ).alias( "t" ) ).where( cb.like( n.get( "text" ), "b1%" ) ).orderBy( cb.desc( n.get( "text" ) ) );
		assertThat( queries.allTenants().query( cq ).list().rows() ).extracting( t -> t.get( "t", String.class ) )
				.containsExactly( "b11", "b10", "b1" );
	}

	@Test
	void tenantLocalJoinsAreAllowedWhenTheCallerSaysSo() {
		standardData();
		String hql = "select count(n) from Note n where exists (select 1 from Note m where m.id = n.id and m.text like 'b%')";
		assertThatThrownBy( () -> queries.allTenants().query( hql, Long.class ).list() ).isInstanceOf( UnmergeableQueryException.class );
		assertThat( queries.allTenants().query( hql, Long.class ).allowTenantLocalJoins().singleResult() ).isEqualTo( 12L );
	}

	@Test
	void explainTellsHowTheQueryIsMerged() {
		assertThat( queries.allTenants().query( "select n.id, n.text from Note n order by n.text desc, n.id", Object[].class ).explain() )
				.contains( "k-way merge" ).contains( "each shard reads at most offset + limit rows" )
				.contains( "n.text desc nulls last" ).contains( "n.id asc nulls first" );
		assertThat( queries.allTenants().query( "select n.text, count(n) from Note n group by n.text order by count(n) desc", Object[].class ).explain() )
				.contains( "groups merged in memory by key, then sorted" ).contains( "no limit pushdown" );
		assertThat( queries.allTenants().query( "select n.text, count(n) from Note n group by n.text order by n.text", Object[].class ).explain() )
				.contains( "groups merged in ORDER BY (group key) order" ).contains( "each shard reads at most" );
	}

	@Test
	void groupsAndDistinctRowsBeyondTheBufferFailWithAMessage() {
		standardData();
		assertThatThrownBy( () -> queries.allTenants().query( "select n.text, count(n) from Note n group by n.text order by count(n)",
				Object[].class ).maxBufferedRows( 5 ).list() )
				.isInstanceOf( CrossShardQueryException.class ).hasMessageContaining( "more than 5 groups" )
				.hasMessageContaining( ShardwiseSettings.QUERY_MAX_BUFFERED_ROWS );
		assertThatThrownBy( () -> queries.allTenants().query( "select distinct n.text from Note n", String.class ).maxBufferedRows( 5 ).list() )
				.isInstanceOf( CrossShardQueryException.class ).hasMessageContaining( "more than 5 distinct rows" );
		// ordered by the key, the same groups stream through a small buffer
		assertThat( queries.allTenants().query( "select n.text, count(n) from Note n group by n.text order by n.text", Object[].class )
				.maxBufferedRows( 5 ).list().rows() ).hasSize( 16 );
	}

	@Test
	void keysetPagingNeedsATotalOrder() {
		standardData();
		CrossShardQuery<String> q = queries.allTenants().query( "select n.text from Note n order by n.text", String.class );
		assertThatThrownBy( () -> q.page( 5 ) ).isInstanceOf( UnmergeableQueryException.class )
				.hasMessageContaining( "orders rows totally" ).hasMessageContaining( "n.text" );
		assertThatThrownBy( () -> queries.allTenants().query( "select n.text, count(n) from Note n group by n.text order by n.text",
				Object[].class ).page( 5 ) ).isInstanceOf( UnmergeableQueryException.class ).hasMessageContaining( "keyset" );
	}

	@Test
	void badScopesAndResultTypesAreClearErrors() {
		standardData();
		assertThatThrownBy( () -> queries.tenants( "t1", "nobody" ).query( "from Note n", Note.class ).list() )
				.isInstanceOf( UnknownTenantException.class ).hasMessageContaining( "'nobody'" );
		assertThatThrownBy( () -> queries.tenants( List.of() ) ).isInstanceOf( IllegalArgumentException.class )
				.hasMessageContaining( "allTenants()" );
		assertThatThrownBy( () -> queries.allTenants().query( "select n.id, n.text from Note n", String.class ).list() )
				.isInstanceOf( IllegalArgumentException.class ).hasMessageContaining( "Object[]" );
		assertThatThrownBy( () -> queries.allTenants().query( "select n.text from Note n limit 3", String.class ).maxResults( 2 ).list() )
				.isInstanceOf( UnmergeableQueryException.class ).hasMessageContaining( "one or the other" );
		assertThatThrownBy( () -> queries.allTenants().query( "select n.text from Note n where n.text = :t", String.class ).list() )
				.isInstanceOf( IllegalArgumentException.class ).hasMessageContaining( "parameter 't'" ).hasMessageContaining( "setParameter" );
		assertThatThrownBy( () -> queries.allTenants().query( "select n.text from Note n", String.class ).setParameter( "x", 1 ).list() )
				.isInstanceOf( IllegalArgumentException.class ).hasMessageContaining( "parameter 'x' is not a parameter of the query" );
		assertThat( queries.allTenants().query( "select n.text from Note n where n.text like ?1 order by n.text limit :n", String.class )
				.setParameter( 1, "b1%" ).setParameter( "n", 2 ).list().rows() ).containsExactly( "b1", "b10" );
	}
}
