package io.shardwise.query;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import org.hibernate.query.sqm.tree.select.SqmSelectStatement;

import io.shardwise.internal.query.QueryEngine;
import io.shardwise.internal.query.QuerySpec;

/**
 * A cross-shard query being configured, like a JPA {@code TypedQuery}: parameters, first/max results, bounds; then
 * {@link #list()}, {@link #stream()}, {@link #singleResult()} or keyset {@link #page(Keyset, int) pages}.
 * <p>
 * The merge follows the query: ORDER BY (k-way merge of the shards' sorted rows, NULLs placed as the database places
 * them), LIMIT/OFFSET (each shard reads at most offset + limit rows), count/sum/min/max/avg (avg from the shards'
 * sums and counts), GROUP BY and DISTINCT. What cannot be merged exactly is rejected with
 * {@link UnmergeableQueryException} before any shard is queried. {@link #explain()} tells how a query will run.
 *
 * @param <T> the row type
 */
public final class CrossShardQuery<T> {
	private final QueryEngine engine;
	private final QuerySpec.Scope scope;
	private final String hql;
	private final SqmSelectStatement<?> criteria;
	private final Class<?> resultType;
	private final Map<String, Object> named = new HashMap<>();
	private final Map<Integer, Object> positional = new HashMap<>();
	private final Bounds bounds = new Bounds();
	private Integer firstResult;
	private Integer maxResults;
	private boolean tenantLocal;

	CrossShardQuery(QueryEngine engine, QuerySpec.Scope scope, String hql, SqmSelectStatement<?> criteria, Class<?> resultType) {
		this.engine = engine;
		this.scope = scope;
		this.hql = hql;
		this.criteria = criteria;
		this.resultType = resultType;
	}

	/** Binds a named parameter ({@code :name}); a collection binds a list ({@code in (:name)}). */
	public CrossShardQuery<T> setParameter(String name, Object value) {
		if ( name == null || name.isBlank() ) {
			throw new IllegalArgumentException( "parameter name must be non-blank, but was " + name );
		}
		named.put( name, value );
		return this;
	}

	/** Binds a positional parameter ({@code ?1}). */
	public CrossShardQuery<T> setParameter(int position, Object value) {
		if ( position < 1 ) {
			throw new IllegalArgumentException( "parameter position must be 1 or greater, but was " + position );
		}
		positional.put( position, value );
		return this;
	}

	/** Skips the first {@code n} merged rows (each shard still reads from its first row: prefer keyset pages for deep pages). */
	public CrossShardQuery<T> firstResult(int n) {
		if ( n < 0 ) {
			throw new IllegalArgumentException( "firstResult must be 0 or greater, but was " + n );
		}
		firstResult = n;
		return this;
	}

	/** Returns at most {@code n} merged rows; each shard reads at most firstResult + n rows when the merge allows. */
	public CrossShardQuery<T> maxResults(int n) {
		if ( n < 0 ) {
			throw new IllegalArgumentException( "maxResults must be 0 or greater, but was " + n );
		}
		maxResults = n;
		return this;
	}

	/**
	 * Allows subqueries, entity joins and several FROM roots, which run on each shard over that shard's rows only.
	 * Call it only when they relate rows of the same tenant (a tenant's rows all live on one shard), for example
	 * {@code exists (select 1 from Payment p where p.order = o)}; across tenants they would give a different answer
	 * than a single database.
	 */
	public CrossShardQuery<T> allowTenantLocalJoins() {
		tenantLocal = true;
		return this;
	}

	/** FAIL (the default) or PARTIAL, see {@link PartialResults}. */
	public CrossShardQuery<T> partialResults(PartialResults policy) {
		bounds.partialResults( policy );
		return this;
	}

	/** How long one shard may work on its part before its statement is cancelled (default: setting). */
	public CrossShardQuery<T> shardTimeout(Duration timeout) {
		bounds.shardTimeout( timeout );
		return this;
	}

	/** How long the whole query may take, including a stream's consumption (default: setting). */
	public CrossShardQuery<T> timeout(Duration timeout) {
		bounds.timeout( timeout );
		return this;
	}

	/** At most this many shards queried at once (default: setting). */
	public CrossShardQuery<T> maxConcurrentShards(int shards) {
		bounds.maxConcurrentShards( shards );
		return this;
	}

	/** At most this many rows held in memory: read-ahead rows, groups, distinct rows (default: setting). */
	public CrossShardQuery<T> maxBufferedRows(int rows) {
		bounds.maxBufferedRows( rows );
		return this;
	}

	/** Runs the query and returns all merged rows. */
	public QueryResult<T> list() {
		return engine.list( spec() );
	}

	/** Runs the query and returns its one row (for aggregates). */
	public T singleResult() {
		QueryResult<T> r = list();
		if ( r.rows().size() != 1 ) {
			throw new CrossShardQueryException( "cross-shard query must return exactly one row, but returned " + r.rows().size() );
		}
		return r.rows().get( 0 );
	}

	/** Runs the query and streams the merged rows; close the stream. */
	public ResultStream<T> stream() {
		return engine.stream( spec() );
	}

	/** The first keyset page of at most {@code size} rows. The ORDER BY must order rows totally. */
	public KeysetPage<T> page(int size) {
		return engine.page( spec(), null, size );
	}

	/**
	 * The keyset page after {@code after} (from {@link KeysetPage#next()}): each shard reads only rows after it, at most
	 * {@code size + 1}, however deep the page.
	 */
	public KeysetPage<T> page(Keyset after, int size) {
		if ( after == null ) {
			throw new IllegalArgumentException( "keyset must not be null: use page(size) for the first page" );
		}
		return engine.page( spec(), after, size );
	}

	/** How the query will run and be merged (plans without querying; throws what {@link #list()} would for bad input). */
	public String explain() {
		return engine.explain( spec() );
	}

	private QuerySpec spec() {
		return new QuerySpec( scope, hql, criteria, resultType, Collections.unmodifiableMap( new HashMap<>( named ) ),
				Collections.unmodifiableMap( new HashMap<>( positional ) ), firstResult, maxResults, tenantLocal, bounds.toOverrides() );
	}
}
