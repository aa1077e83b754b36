package io.shardwise.it.query;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.persistence.TupleElement;
import jakarta.persistence.TypedQuery;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Root;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.shardwise.Shardwise;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.query.CrossShardQueries;
import io.shardwise.query.CrossShardQuery;
import io.shardwise.query.KeysetPage;
import io.shardwise.query.PartialResults;
import io.shardwise.query.QueryResult;
import io.shardwise.query.ResultStream;
import io.shardwise.query.ShardFailure;
import io.shardwise.query.ShardQueryFailedException;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The oracle method: the same random data set in 4 shards and in one database; every query's merged cross-shard
 * result must equal the single database's result exactly (in order where the query orders totally, as a multiset
 * otherwise), including NULL placement, string collation, ties, LIMIT/OFFSET, aggregates (AVG bit for bit), GROUP BY,
 * DISTINCT and keyset pages. Tenants with rows on two shards (moves) and rows of an unplaced tenant are in the data:
 * counting either would break equality.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractCrossShardOracleTest {
	static final int SHARDS = 4;
	static final int TENANTS = 240;
	static final int ROWS = 60_000;

	ShardedSales sales;
	CrossShardQueries queries;

	abstract DatabaseKind kind();

	@BeforeAll
	void load() throws SQLException {
		sales = ShardedSales.create( kind(), SalesData.generate( 20240611L, TENANTS, ROWS, SHARDS ), SHARDS, Map.of() );
		queries = Shardwise.of( sales.sharded ).crossShard();
	}

	@AfterAll
	void drop() {
		if ( sales != null ) {
			sales.close();
		}
	}

	/** One query of the suite: HQL run unchanged on the shards and on the single database. */
	record Case(String name, String hql, Map<String, Object> params, Integer first, Integer max, boolean ordered,
			long maxRowsFetched) {
		Case(String name, String hql, Map<String, Object> params) {
			this( name, hql, params, null, null, true, -1 );
		}

		Case unordered() {
			return new Case( name, hql, params, first, max, false, maxRowsFetched );
		}

		Case page(int firstResult, int maxResults) {
			return new Case( name, hql, params, firstResult, maxResults, ordered, maxRowsFetched );
		}

		/** Asserts limit pushdown: the shards together read at most this many rows. */
		Case readsAtMost(long rows) {
			return new Case( name, hql, params, first, max, ordered, rows );
		}

		@Override
		public String toString() {
			return name;
		}
	}

	Stream<Case> suite() {
		LocalDate from = LocalDate.of( 2024, 3, 1 );
		LocalDate to = LocalDate.of( 2024, 3, 20 );
		return Stream.of(
				new Case( "filter, ORDER BY amount desc nulls last, id",
						"select s.id, s.tenantId, s.amount from Sale s where s.amount > :min order by s.amount desc nulls last, s.id",
						Map.of( "min", new BigDecimal( "900.00" ) ) ),
				new Case( "ORDER BY region, product desc with default NULL placement, id",
						"select s.region, s.product, s.id from Sale s where s.quantity < 3 order by s.region, s.product desc, s.id",
						Map.of() ),
				new Case( "HQL LIMIT/OFFSET over three keys with NULLs first",
						"select s.quantity, s.soldOn, s.id from Sale s order by s.quantity nulls first, s.soldOn desc, s.id "
								+ "limit 50 offset 120", Map.of() ).readsAtMost( SHARDS * 170L ),
				new Case( "API firstResult/maxResults on a filtered order",
						"select s.id, s.channel, s.soldOn from Sale s where s.channel = :ch order by s.soldOn desc, s.id",
						Map.of( "ch", Channel.PHONE ) ).page( 1000, 30 ).readsAtMost( SHARDS * 1030L ),
				new Case( "ORDER BY on an expression that is not selected",
						"select s.id from Sale s where s.region = 'west' order by s.amount nulls last, s.id limit 40",
						Map.of() ).readsAtMost( SHARDS * 40L ),
				new Case( "count(*)", "select count(s) from Sale s", Map.of() ),
				new Case( "count, sum, min, max, avg of a NUMERIC(12,2) with a filter",
						"select count(s.amount), sum(s.amount), min(s.amount), max(s.amount), avg(s.amount) from Sale s "
								+ "where s.region = :r", Map.of( "r", "north" ) ),
				new Case( "sums and averages of integer and bigint columns, min/max of dates",
						"select count(*), sum(s.quantity), avg(s.quantity), min(s.soldOn), max(s.soldOn), sum(s.points), "
								+ "avg(s.points) from Sale s", Map.of() ),
				new Case( "aggregates over no rows", "select count(s), sum(s.amount), avg(s.amount), max(s.product) from Sale s "
						+ "where s.amount > 5000", Map.of() ),
				new Case( "GROUP BY region (NULL group) ordered by the key, string min/max",
						"select s.region, count(s), sum(s.amount), avg(s.quantity), min(s.product), max(s.product) "
								+ "from Sale s group by s.region order by s.region", Map.of() ),
				new Case( "GROUP BY two keys ordered by an aggregate",
						"select s.channel, s.priority, count(s), max(s.amount), avg(s.amount) from Sale s "
								+ "group by s.channel, s.priority order by count(s) desc, s.channel, s.priority", Map.of() ),
				new Case( "GROUP BY with an AVG before the key, ordered by a sum",
						"select avg(s.quantity), s.channel, sum(s.amount) from Sale s group by s.channel "
								+ "order by sum(s.amount) desc", Map.of() ),
				new Case( "GROUP BY with HAVING on the key, ORDER BY an unselected avg",
						"select s.region, sum(s.amount) from Sale s group by s.region having s.region <> 'east' "
								+ "order by avg(s.amount) desc", Map.of() ),
				new Case( "GROUP BY tenant: the ten biggest (skewed) tenants",
						"select s.tenantId, count(s), sum(s.amount) from Sale s group by s.tenantId "
								+ "order by count(s) desc, s.tenantId limit 10", Map.of() ),
				new Case( "GROUP BY tenant and day, streamed in key order",
						"select s.tenantId, s.soldOn, sum(s.amount), count(s) from Sale s where s.soldOn between :from and :to "
								+ "group by s.tenantId, s.soldOn order by s.tenantId, s.soldOn", Map.of( "from", from, "to", to ) ),
				new Case( "GROUP BY in key order with LIMIT/OFFSET pushed down",
						"select s.region, sum(s.amount), count(s) from Sale s where s.region is not null group by s.region "
								+ "order by s.region desc limit 2 offset 1", Map.of() ),
				new Case( "GROUP BY booleans and integers with NULLs",
						"select s.priority, s.quantity, count(s) from Sale s group by s.priority, s.quantity "
								+ "order by s.priority desc, s.quantity", Map.of() ),
				new Case( "GROUP BY an enum mapped as a string",
						"select s.channel, count(s) from Sale s group by s.channel order by s.channel", Map.of() ),
				new Case( "DISTINCT in ORDER BY order", "select distinct s.region from Sale s order by s.region", Map.of() ),
				new Case( "DISTINCT strings in collation order",
						"select distinct s.product from Sale s order by s.product desc", Map.of() ),
				new Case( "DISTINCT of two columns, unordered",
						"select distinct s.product, s.region from Sale s where s.quantity > 17", Map.of() ).unordered(),
				new Case( "DISTINCT with ORDER BY and LIMIT",
						"select distinct s.quantity from Sale s where s.quantity is not null order by s.quantity desc limit 5",
						Map.of() ),
				new Case( "rows ordered by strings (collation) and id",
						"select s.product, s.id from Sale s where s.quantity = 3 order by s.product desc nulls last, s.id",
						Map.of() ),
				new Case( "explicit NULLS FIRST, mixed directions",
						"select s.amount, s.id from Sale s where s.amount is null or s.quantity > 18 "
								+ "order by s.amount asc nulls first, s.id desc", Map.of() ),
				new Case( "bigint aggregates with a boolean filter",
						"select count(s), sum(s.points), avg(s.points), min(s.points) from Sale s where s.priority = true", Map.of() ),
				new Case( "list parameter, no ORDER BY",
						"select s.id, s.tenantId from Sale s where s.tenantId in :tenants and s.product like :p",
						Map.of( "tenants", List.of( "tenant-000", "tenant-003", "tenant-008", "tenant-050" ), "p", "a%" ) ).unordered(),
				new Case( "top 100 by tenant desc, amount desc nulls first",
						"select s.tenantId, s.id, s.amount from Sale s order by s.tenantId desc, s.amount desc nulls first, s.id "
								+ "limit 100", Map.of() ).readsAtMost( SHARDS * 100L ) );
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("suite")
	void shardedResultEqualsSingleDatabase(Case c) {
		CrossShardQuery<Object> q = queries.allTenants().query( c.hql(), Object.class );
		c.params().forEach( q::setParameter );
		if ( c.first() != null ) {
			q.firstResult( c.first() );
		}
		if ( c.max() != null ) {
			q.maxResults( c.max() );
		}
		QueryResult<Object> sharded = q.list();
		List<List<Object>> expected = oracle( c.hql(), c.params(), c.first(), c.max() );
		assertThat( expected ).as( "the oracle query returns rows" ).isNotEmpty();
		assertThat( sharded.isComplete() ).isTrue();
		if ( c.ordered() ) {
			assertThat( rows( sharded.rows() ) ).as( c.name() ).containsExactlyElementsOf( expected );
		}
		else {
			assertThat( rows( sharded.rows() ) ).as( c.name() ).containsExactlyInAnyOrderElementsOf( expected );
		}
		if ( c.maxRowsFetched() >= 0 ) {
			assertThat( sharded.rowsFetched() ).as( "rows read from the shards (limit pushdown)" ).isLessThanOrEqualTo( c.maxRowsFetched() );
		}
	}

	@Test
	void entityResultsEqualSingleDatabase() {
		String hql = "from Sale s where s.quantity between 4 and 6 order by s.points desc nulls last, s.id";
		QueryResult<Sale> sharded = queries.allTenants().query( hql, Sale.class ).firstResult( 7 ).maxResults( 500 ).list();
		List<List<Object>> expected = oracle( hql, Map.of(), 7, 500 );
		assertThat( sharded.rows() ).extracting( Sale::values ).containsExactlyElementsOf( expected );
	}

	@Test
	void criteriaQueryEqualsSingleDatabase() {
		CriteriaBuilder cb = sales.sharded.getCriteriaBuilder();
		CriteriaQuery<Object[]> cq = cb.createQuery( Object[].class );
		Root<Sale> s = cq.from( Sale.class );
		cq.multiselect( s.get( "id" ), s.get( "region" ), s.get( "amount" ) )
				.where( cb.and( cb.greaterThanOrEqualTo( s.get( "quantity" ), 10 ), cb.isNotNull( s.get( "region" ) ) ) )
				.orderBy( cb.desc( s.get( "amount" ) ), cb.asc( s.get( "id" ) ) );
		QueryResult<Object[]> sharded = queries.allTenants().query( cq ).maxResults( 75 ).list();

		List<List<Object>> expected = oracle( "select s.id, s.region, s.amount from Sale s where s.quantity >= 10 and "
				+ "s.region is not null order by s.amount desc, s.id", Map.of(), null, 75 );
		assertThat( rows( sharded.rows() ) ).containsExactlyElementsOf( expected );
		assertThat( sharded.rowsFetched() ).isLessThanOrEqualTo( SHARDS * 75L );
	}

	// ---------------------------------------------------------------- select new and Tuple results

	@Test
	void selectNewWithOrderByAndLimitEqualsSingleDatabase() {
		String hql = "select new io.shardwise.it.query.SaleRow(s.id, s.tenantId, s.amount) from Sale s where s.quantity > 10 "
				+ "order by s.amount desc nulls last, s.id limit 60 offset 15";
		QueryResult<SaleRow> sharded = queries.allTenants().query( hql, SaleRow.class ).list();
		List<SaleRow> expected = oracle( hql, SaleRow.class );
		assertThat( expected ).hasSize( 60 );
		assertThat( sharded.rows() ).containsExactlyElementsOf( expected );
		assertThat( sharded.rowsFetched() ).as( "rows read from the shards (limit pushdown)" ).isLessThanOrEqualTo( SHARDS * 75L );
	}

	@Test
	void selectNewOfGroupsAndAggregatesEqualsSingleDatabase() {
		// in key order (groups streamed), and ordered by an aggregate (groups merged in memory), AVG included
		for ( String hql : List.of(
				"select new io.shardwise.it.query.RegionTotals(s.region, count(s), sum(s.amount), avg(s.amount), min(s.soldOn)) "
						+ "from Sale s group by s.region order by s.region",
				"select new io.shardwise.it.query.RegionTotals(s.product, count(s), sum(s.amount), avg(s.quantity), "
						+ "min(s.soldOn)) from Sale s where s.product is not null group by s.product "
						+ "order by sum(s.amount) desc nulls last, s.product limit 7" ) ) {
			List<RegionTotals> expected = oracle( hql, RegionTotals.class );
			assertThat( expected ).as( hql ).isNotEmpty();
			assertThat( queries.allTenants().query( hql, RegionTotals.class ).list().rows() ).as( hql ).containsExactlyElementsOf( expected );
		}
	}

	@Test
	void criteriaConstructEqualsSingleDatabase() {
		CriteriaBuilder cb = sales.sharded.getCriteriaBuilder();
		CriteriaQuery<RegionTotals> cq = cb.createQuery( RegionTotals.class );
		Root<Sale> s = cq.from( Sale.class );
		cq.select( cb.construct( RegionTotals.class, s.get( "region" ), cb.count( s ), cb.sum( s.<BigDecimal>get( "amount" ) ),
						cb.avg( s.<BigDecimal>get( "amount" ) ), cb.least( s.<LocalDate>get( "soldOn" ) ) ) )
				.where( cb.isTrue( s.get( "priority" ) ) )
				.groupBy( s.get( "region" ) )
				.orderBy( cb.desc( cb.count( s ) ), cb.asc( s.get( "region" ) ) );
		List<RegionTotals> sharded = queries.allTenants().query( cq ).list().rows();
		assertThat( sharded ).containsExactlyElementsOf( oracle( "select new io.shardwise.it.query.RegionTotals(s.region, "
				+ "count(s), sum(s.amount), avg(s.amount), min(s.soldOn)) from Sale s where s.priority = true group by s.region "
				+ "order by count(s) desc, s.region", RegionTotals.class ) );
	}

	@Test
	void tupleResultsOfHqlEqualSingleDatabase() {
		String hql = "select s.channel as channel, count(s) as sales, sum(s.amount) as total, avg(s.quantity) as quantity "
				+ "from Sale s group by s.channel order by s.channel";
		List<Tuple> sharded = queries.allTenants().query( hql, Tuple.class ).list().rows();
		List<Tuple> expected = oracleTuples( em -> em.createQuery( hql, Tuple.class ) );
		assertTuplesEqual( sharded, expected, List.of( "channel", "sales", "total", "quantity" ) );
		Tuple first = sharded.get( 0 );
		assertThat( first.get( "sales", Long.class ) ).isEqualTo( first.get( 1 ) ).isEqualTo( expected.get( 0 ).get( "sales" ) );
		assertThat( first.get( 3, Double.class ) ).isEqualTo( expected.get( 0 ).get( 3, Double.class ) );
		assertThat( first.get( first.getElements().get( 2 ) ) ).isEqualTo( expected.get( 0 ).get( "total" ) );
		assertThatThrownBy( () -> first.get( "nope" ) ).isInstanceOf( IllegalArgumentException.class );
		assertThatThrownBy( () -> first.get( 1, String.class ) ).isInstanceOf( IllegalArgumentException.class );
	}

	@Test
	void criteriaTupleQueryWithOrderByEqualsSingleDatabase() {
		java.util.function.Function<CriteriaBuilder, CriteriaQuery<Tuple>> query = cb -> {
			CriteriaQuery<Tuple> cq = cb.createTupleQuery();
			Root<Sale> s = cq.from( Sale.class );
			return cq.multiselect( s.get( "id" ).alias( "id" ), s.get( "soldOn" ).alias( "day" ), s.get( "amount" ).alias( "amount" ) )
					.where( cb.equal( s.get( "region" ), "east" ) )
					.orderBy( cb.desc( s.get( "soldOn" ) ), cb.asc( s.get( "id" ) ) );
		};
		QueryResult<Tuple> sharded = queries.allTenants().query( query.apply( sales.sharded.getCriteriaBuilder() ) )
				.firstResult( 40 ).maxResults( 120 ).list();
		List<Tuple> expected = oracleTuples( em -> em.createQuery( query.apply( em.getCriteriaBuilder() ) ) .setFirstResult( 40 ).setMaxResults( 120 ) );
		assertThat( expected ).hasSize( 120 );
		assertTuplesEqual( sharded.rows(), expected, List.of( "id", "day", "amount" ) );
		assertThat( sharded.rows() ).extracting( t -> t.get( "day", LocalDate.class ) ).isSortedAccordingTo( Comparator.nullsFirst(
				Comparator.<LocalDate>naturalOrder() ).reversed() ).hasSize( 120 );
		assertThat( sharded.rowsFetched() ).isLessThanOrEqualTo( SHARDS * 160L );
	}

	@Test
	void selectNewWithoutAMatchingConstructorFailsNamingClassAndTypes() {
		CriteriaBuilder cb = sales.sharded.getCriteriaBuilder();
		CriteriaQuery<SaleRow> cq = cb.createQuery( SaleRow.class );
		Root<Sale> s = cq.from( Sale.class );
		cq.select( cb.construct( SaleRow.class, s.get( "id" ), s.get( "amount" ), s.get( "tenantId" ) ) );
		assertThatThrownBy( () -> queries.allTenants().query( cq ).list() )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessageContaining( SaleRow.class.getName() )
				.hasMessageContaining( "(java.lang.Long, java.math.BigDecimal, java.lang.String)" )
				.hasMessageContaining( "(java.lang.Long, java.lang.String, java.math.BigDecimal)" );
		assertThatThrownBy( () -> queries.allTenants().query( "select new io.shardwise.it.query.SaleRow(s.id, s.amount) from Sale s",
				SaleRow.class ).list() )
				.isInstanceOf( IllegalArgumentException.class ).hasMessageContaining( "'select new'" ).hasMessageContaining( "SaleRow" );
	}

	<T> List<T> oracle(String hql, Class<T> type) {
		EntityManager em = sales.oracle.createEntityManager();
		try {
			return em.createQuery( hql, type ).getResultList();
		}
		finally {
			em.close();
		}
	}

	List<Tuple> oracleTuples(java.util.function.Function<EntityManager, TypedQuery<Tuple>> query) {
		EntityManager em = sales.oracle.createEntityManager();
		try {
			return query.apply( em ).getResultList();
		}
		finally {
			em.close();
		}
	}

	/** Same values in the same order, same aliases and element types, and get(alias) agrees with get(i). */
	static void assertTuplesEqual(List<Tuple> sharded, List<Tuple> expected, List<String> aliases) {
		assertThat( sharded ).extracting( t -> Arrays.asList( t.toArray() ) )
				.containsExactlyElementsOf( expected.stream().map( t -> Arrays.asList( t.toArray() ) ).toList() );
		for ( Tuple t : sharded ) {
			assertThat( t.getElements() ).extracting( TupleElement::getAlias ).containsExactlyElementsOf( aliases );
			assertThat( t.getElements() ).extracting( e -> (Object) e.getJavaType() ).containsExactlyElementsOf(
					expected.get( 0 ).getElements().stream().map( e -> (Object) e.getJavaType() ).toList() );
			for ( int i = 0; i < aliases.size(); i++ ) {
				assertThat( t.get( aliases.get( i ) ) ).isEqualTo( t.get( i ) );
			}
		}
	}

	@Test
	void keysetPagesEqualSingleDatabaseAndStayShallow() {
		String hql = "select s.id, s.soldOn, s.amount from Sale s where s.region = :r order by s.soldOn desc nulls last, s.amount, s.id";
		Map<String, Object> params = Map.of( "r", "south" );
		List<List<Object>> all = new ArrayList<>();
		int size = 500;
		KeysetPage<Object[]> page = queries.allTenants().query( hql, Object[].class ).setParameter( "r", "south" ).page( size );
		int pages = 1;
		while ( true ) {
			all.addAll( rows( page.rows() ) );
			assertThat( page.rowsFetched() ).as( "rows read for page %d", pages ).isLessThanOrEqualTo( SHARDS * ( size + 1L ) );
			if ( !page.hasNext() ) {
				break;
			}
			page = queries.allTenants().query( hql, Object[].class ).setParameter( "r", "south" ).page( page.next().orElseThrow(), size );
			pages++;
		}
		assertThat( pages ).as( "several pages" ).isGreaterThan( 10 );
		assertThat( all ).containsExactlyElementsOf( oracle( hql, params, null, null ) );
	}

	@Test
	void tenantSetQueriesReadOnlyThoseTenants() {
		List<String> chosen = new ArrayList<>( List.of( "tenant-000", "tenant-001", "tenant-002", "tenant-017", "tenant-099",
				"tenant-150", "tenant-239" ) );
		chosen.addAll( sales.data.duplicated );
		QueryResult<Object[]> grouped = queries.tenants( chosen )
				.query( "select s.tenantId, count(s), sum(s.amount), avg(s.quantity) from Sale s group by s.tenantId order by s.tenantId", Object[].class )
				.list();
		assertThat( rows( grouped.rows() ) ).containsExactlyElementsOf( oracle( "select s.tenantId, count(s), sum(s.amount), "
				+ "avg(s.quantity) from Sale s where s.tenantId in :t group by s.tenantId order by s.tenantId", Map.of( "t", chosen ), null, null ) );
		assertThat( grouped.rows() ).hasSize( new java.util.HashSet<>( chosen ).size() );

		// entity rows of a few tenants, merged in order
		List<String> few = List.of( "tenant-005", "tenant-006", "tenant-007" );
		QueryResult<Sale> rows = queries.tenants( few ).query( "from Sale s order by s.amount desc nulls last, s.id", Sale.class ).list();
		assertThat( rows.rows() ).extracting( Sale::values ).containsExactlyElementsOf(
				oracle( "from Sale s where s.tenantId in :t order by s.amount desc nulls last, s.id", Map.of( "t", few ), null, null ) );
	}

	@Test
	void aTenantAloneSeesOnlyItsRowsOnASharedShard() {
		String tenant = "tenant-004";
		int shard = sales.data.placement.get( tenant );
		long others = sales.data.tenants.stream().filter( t -> !t.equals( tenant ) && sales.data.placement.get( t ) == shard ).count();
		assertThat( others ).as( "other tenants share the shard" ).isPositive();
		long count = queries.tenants( tenant ).query( "select count(s) from Sale s", Long.class ).singleResult();
		assertThat( count ).isEqualTo( sales.data.rows.stream().filter( r -> r.tenant().equals( tenant ) ).count() );
	}

	@Test
	void movedTenantsAreCountedOnce() throws SQLException {
		// the copies really exist on a second shard
		for ( String tenant : sales.data.duplicated ) {
			long shardsHoldingIt = 0;
			for ( int i = 0; i < SHARDS; i++ ) {
				try ( Connection c = ShardedSales.open( kind(), sales.shardDatabases.get( i ) );
						PreparedStatement ps = c.prepareStatement( "select count(*) from sale where tenant_id = ?" ) ) {
					ps.setString( 1, tenant );
					try ( ResultSet rs = ps.executeQuery() ) {
						rs.next();
						shardsHoldingIt += rs.getLong( 1 ) > 0 ? 1 : 0;
					}
				}
			}
			assertThat( shardsHoldingIt ).as( "shards holding rows of %s", tenant ).isEqualTo( 2 );
		}
		String hql = "select s.tenantId, count(s), sum(s.amount) from Sale s where s.tenantId in :t group by s.tenantId order by s.tenantId";
		List<String> tenants = new ArrayList<>( sales.data.duplicated );
		tenants.add( SalesData.GHOST_TENANT );
		QueryResult<Object[]> all = queries.allTenants().query( hql, Object[].class ).setParameter( "t", tenants ).list();
		assertThat( rows( all.rows() ) ).containsExactlyElementsOf( oracle( hql, Map.of( "t", tenants ), null, null ) )
				.hasSize( sales.data.duplicated.size() );
	}

	@Test
	void sessionCallbacksRunOncePerShardOnItsTenants() {
		QueryResult<Long> counts = queries.allTenants()
				.call( s -> s.createQuery( "select count(x) from Sale x", Long.class ).getResultList() ).list();
		assertThat( counts.rows() ).hasSize( SHARDS );
		assertThat( counts.rows().stream().mapToLong( Long::longValue ).sum() ).isEqualTo( sales.data.rows.size() );
	}

	@Test
	void streamingKeepsTheReadAheadBoundedAndEqualsSingleDatabase() {
		int bound = 400;
		String hql = "select s.id, s.tenantId from Sale s order by s.id";
		List<List<Object>> streamed = new ArrayList<>();
		long maxAhead = 0;
		try ( ResultStream<Object[]> stream = queries.allTenants().query( hql, Object[].class ).maxBufferedRows( bound ).stream() ) {
			while ( stream.hasNext() ) {
				streamed.add( Arrays.asList( stream.next() ) );
				maxAhead = Math.max( maxAhead, stream.rowsFetched() - streamed.size() );
			}
		}
		assertThat( streamed ).containsExactlyElementsOf( oracle( hql, Map.of(), null, null ) );
		assertThat( maxAhead ).as( "rows read from the shards but not yet consumed" ).isLessThanOrEqualTo( bound );
	}

	@Test
	void oneShardDownFailsNamingItOrReturnsTheOthersUnderPartial() {
		String hql = "select s.region, count(s), sum(s.amount) from Sale s group by s.region order by s.region";
		Shard s1 = sales.store.findShard( "s1" ).orElseThrow();
		sales.store.replaceShard( s1.version(), s1.next().status( ShardStatus.OFFLINE ).build() );
		try {
			assertThatThrownBy( () -> queries.allTenants().query( hql, Object[].class ).list() )
					.isInstanceOf( ShardQueryFailedException.class ).hasMessageContaining( "shard 's1'" );
			QueryResult<Object[]> partial = queries.allTenants().query( hql, Object[].class )
					.partialResults( PartialResults.PARTIAL ).list();
			assertThat( partial.failures() ).extracting( ShardFailure::shard ).containsExactly( "s1" );
			List<String> elsewhere = sales.data.tenants.stream().filter( t -> sales.data.placement.get( t ) != 1 ).toList();
			assertThat( rows( partial.rows() ) ).containsExactlyElementsOf( oracle( "select s.region, count(s), sum(s.amount) "
					+ "from Sale s where s.tenantId in :t group by s.region order by s.region", Map.of( "t", elsewhere ), null, null ) );
		}
		finally {
			Shard down = sales.store.findShard( "s1" ).orElseThrow();
			sales.store.replaceShard( down.version(), down.next().status( ShardStatus.ACTIVE ).build() );
		}
	}

	// ---------------------------------------------------------------- helpers

	List<List<Object>> oracle(String hql, Map<String, Object> params, Integer first, Integer max) {
		EntityManager em = sales.oracle.createEntityManager();
		try {
			TypedQuery<Object> q = em.createQuery( hql, Object.class );
			params.forEach( q::setParameter );
			if ( first != null ) {
				q.setFirstResult( first );
			}
			if ( max != null ) {
				q.setMaxResults( max );
			}
			return rows( q.getResultList() );
		}
		finally {
			em.close();
		}
	}

	static List<List<Object>> rows(List<?> rows) {
		List<List<Object>> out = new ArrayList<>( rows.size() );
		for ( Object r : rows ) {
			if ( r instanceof Object[] a ) {
				out.add( Arrays.asList( a ) );
			}
			else if ( r instanceof Sale s ) {
				out.add( s.values() );
			}
			else {
				out.add( Collections.singletonList( r ) );
			}
		}
		return out;
	}
}
