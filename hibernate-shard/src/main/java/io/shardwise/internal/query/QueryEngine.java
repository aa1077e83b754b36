package io.shardwise.internal.query;

import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;

import jakarta.persistence.Tuple;
import jakarta.persistence.TupleElement;

import org.hibernate.Session;
import org.hibernate.SharedSessionContract;
import org.hibernate.StatelessSession;
import org.hibernate.binder.internal.TenantIdBinder;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.metamodel.model.domain.EntityDomainType;
import org.hibernate.query.sqm.tree.SqmStatement;
import org.hibernate.query.sqm.tree.select.SqmSelectStatement;
import org.hibernate.sql.results.internal.TupleImpl;
import org.hibernate.sql.results.internal.TupleMetadata;

import io.shardwise.ShardwiseSettings;
import io.shardwise.TenantIds;
import io.shardwise.UnknownTenantException;
import io.shardwise.internal.Checks;
import io.shardwise.internal.Settings;
import io.shardwise.internal.ShardHandle;
import io.shardwise.internal.ShardSessionIds;
import io.shardwise.internal.ShardwiseRuntime;
import io.shardwise.internal.hibernate.TenantRestrictionContributor;
import io.shardwise.query.CrossShardQueryException;
import io.shardwise.query.Keyset;
import io.shardwise.query.KeysetPage;
import io.shardwise.query.PartialResults;
import io.shardwise.query.QueryResult;
import io.shardwise.query.ResultStream;
import io.shardwise.query.ShardFailure;
import io.shardwise.query.UnmergeableQueryException;
import io.shardwise.topology.PlacementStatus;
import io.shardwise.topology.TenantPlacement;

/**
 * The cross-shard query engine of one persistence unit (an extension of its {@link ShardwiseRuntime}, closed with
 * it): a dedicated executor for shard queries, a watchdog for timeouts, the planner, and the database semantics the
 * merger follows.
 */
public final class QueryEngine implements AutoCloseable {
	/** Shards hold at most this many tenants in one tenant restriction (bind parameters of one statement). */
	static final int MAX_TENANTS_PER_SHARD = 30_000;

	private final SessionFactoryImplementor sessionFactory;
	private final ShardwiseRuntime runtime;
	private final FanOutOptions defaults;
	private final int threadCount;
	private final Semaphore threads;
	private final ThreadPoolExecutor executor;
	private final ScheduledExecutorService watchdog;
	private final DatabaseSemantics semantics;
	private final QueryPlanner planner;
	private final Set<String> tenantEntities;
	private final Set<Class<?>> managedTypes;
	private final Map<String, Optional<String>> probes = new ConcurrentHashMap<>();
	private final Map<PlanKey, MergePlan> plans = new ConcurrentHashMap<>();
	private final LongSupplier nanoClock;

	private record PlanKey(String hql, Class<?> resultType, boolean tenantLocal, boolean keyset, boolean apiLimit) {
	}

	private QueryEngine(SessionFactoryImplementor sessionFactory, ShardwiseRuntime runtime) {
		this.sessionFactory = sessionFactory;
		this.runtime = runtime;
		this.nanoClock = System::nanoTime;
		Settings s = new Settings( sessionFactory.getProperties() );
		this.threadCount = s.integer( ShardwiseSettings.QUERY_THREADS, 16, 1 );
		this.defaults = new FanOutOptions(
				s.enumValue( ShardwiseSettings.QUERY_PARTIAL_RESULTS, PartialResults.class, PartialResults.FAIL,
						e -> e.name().toLowerCase( java.util.Locale.ROOT ) ),
				s.duration( ShardwiseSettings.QUERY_SHARD_TIMEOUT, Duration.ofSeconds( 30 ) ),
				s.duration( ShardwiseSettings.QUERY_TIMEOUT, Duration.ofSeconds( 60 ) ),
				s.integer( ShardwiseSettings.QUERY_MAX_CONCURRENT_SHARDS, 8, 1 ),
				s.integer( ShardwiseSettings.QUERY_MAX_BUFFERED_ROWS, 10_000, 1 ),
				s.integer( ShardwiseSettings.QUERY_FETCH_SIZE, 500, 1 ) );
		this.threads = new Semaphore( threadCount, true );
		this.executor = new ThreadPoolExecutor( threadCount, threadCount, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				daemonThreads( "shardwise-query-" ) );
		this.executor.allowCoreThreadTimeOut( true );
		ScheduledThreadPoolExecutor w = new ScheduledThreadPoolExecutor( 1, daemonThreads( "shardwise-query-watchdog-" ) );
		w.setRemoveOnCancelPolicy( true );
		this.watchdog = w;
		this.semantics = new DatabaseSemantics( sessionFactory.getJdbcServices().getDialect(),
				sessionFactory.getSessionFactoryOptions().getDefaultNullPrecedence() );
		this.planner = new QueryPlanner( this );
		this.tenantEntities = new HashSet<>();
		this.managedTypes = new HashSet<>();
		for ( jakarta.persistence.metamodel.ManagedType<?> t : sessionFactory.getJpaMetamodel().getManagedTypes() ) {
			managedTypes.add( t.getJavaType() );
		}
		for ( jakarta.persistence.metamodel.EntityType<?> jpa : sessionFactory.getJpaMetamodel().getEntities() ) {
			EntityDomainType<?> e = (EntityDomainType<?>) jpa;
			boolean tenantOwned = e.getAttributes().stream().anyMatch( a -> a.getJavaMember() instanceof AnnotatedElement ae
					&& ae.isAnnotationPresent( org.hibernate.annotations.TenantId.class ) );
			if ( tenantOwned ) {
				tenantEntities.add( e.getHibernateEntityName() );
				tenantEntities.add( e.getName() );
			}
		}
	}

	/** The engine of a persistence unit routed by Shardwise (created on first use, closed with the runtime). */
	public static QueryEngine of(SessionFactoryImplementor sessionFactory, ShardwiseRuntime runtime) {
		return runtime.extension( QueryEngine.class, r -> new QueryEngine( sessionFactory, r ) );
	}

	private static ThreadFactory daemonThreads(String prefix) {
		AtomicInteger n = new AtomicInteger();
		return r -> {
			Thread t = new Thread( r, prefix + n.incrementAndGet() );
			t.setDaemon( true );
			return t;
		};
	}

	// ---------------------------------------------------------------- API

	/** Runs a query and collects the merged rows. */
	public <T> QueryResult<T> list(QuerySpec spec) {
		try ( Execution<T> e = execute( spec, null, -1 ) ) {
			List<T> rows = new ArrayList<>();
			for ( Object[] r = e.rows.next(); r != null; r = e.rows.next() ) {
				rows.add( e.project( r ) );
			}
			return new QueryResult<>( rows, e.fanOut.failures(), e.fanOut.rowsFetchedByShard() );
		}
	}

	/** Runs a query and streams the merged rows. */
	public <T> ResultStream<T> stream(QuerySpec spec) {
		Execution<T> e = execute( spec, null, -1 );
		return new MergedStream<>( e );
	}

	/** One keyset page: rows after {@code after} (or the first page), at most {@code size}. */
	public <T> KeysetPage<T> page(QuerySpec spec, Keyset after, int size) {
		Checks.positive( size, "keyset page size" );
		try ( Execution<T> e = execute( spec, after, size ) ) {
			List<Object[]> merged = new ArrayList<>( size + 1 );
			for ( Object[] r = e.rows.next(); r != null && merged.size() <= size; r = e.rows.next() ) {
				merged.add( r );
			}
			Keyset next = null;
			if ( merged.size() > size ) {
				Object[] last = merged.get( size - 1 );
				Object[] following = merged.get( size );
				if ( e.plan.mergedOrder().compare( last, following ) == 0 ) {
					throw new UnmergeableQueryException( "keyset paging needs an ORDER BY that orders rows totally, but two rows "
							+ "tie on " + e.plan.sortKeys.stream().map( MergePlan.SortKey::text ).toList() + " = "
							+ keyValues( e.plan, last ) + " at the page boundary: the next page would skip or repeat rows; add "
							+ "unique columns (for example the tenant id and the identifier) as the last ORDER BY items" );
				}
				next = Keyset.of( keyValues( e.plan, last ).toArray() );
				merged.remove( size );
			}
			List<T> rows = new ArrayList<>( merged.size() );
			for ( Object[] r : merged ) {
				rows.add( e.project( r ) );
			}
			return new KeysetPage<>( rows, next, e.fanOut.failures(), e.fanOut.rowsFetched() );
		}
	}

	/** Runs a session callback on every target shard and concatenates what it returns. */
	public <T> QueryResult<T> call(QuerySpec.Scope scope, QuerySpec.Overrides overrides,
			Function<Session, ? extends Collection<? extends T>> work) {
		FanOutOptions options = resolve( overrides );
		Targets targets = targets( scope, options );
		FanOut.ShardWork shardWork = (target, task) -> {
			try ( Session session = sessionFactory.withOptions().tenantIdentifier( (Object) target.sessionId() )
					.readOnly( true ).openSession() ) {
				restrict( session, target, false );
				task.register( session );
				task.querying( true );
				Collection<? extends T> result;
				try {
					result = work.apply( session );
				}
				finally {
					task.querying( false );
				}
				if ( result != null ) {
					for ( Object o : result ) {
						if ( !task.emit( new Object[] { o } ) ) {
							break;
						}
					}
				}
			}
		};
		try ( FanOut fanOut = new FanOut( this, targets.shards, shardWork, options, false, targets.failures ) ) {
			failFast( targets, options );
			fanOut.start();
			Rows rows = new Rows.Concat( fanOut );
			List<T> out = new ArrayList<>();
			for ( Object[] r = rows.next(); r != null; r = rows.next() ) {
				@SuppressWarnings("unchecked")
				T t = (T) r[0];
				out.add( t );
			}
			return new QueryResult<>( out, fanOut.failures(), fanOut.rowsFetchedByShard() );
		}
	}

	/** How the query would be run and merged. */
	public String explain(QuerySpec spec) {
		return plan( spec, false ).description;
	}

	// ---------------------------------------------------------------- execution

	private <T> Execution<T> execute(QuerySpec spec, Keyset after, int pageSize) {
		boolean keyset = pageSize > 0;
		MergePlan plan = plan( spec, keyset );
		if ( keyset ) {
			if ( plan.mode != MergePlan.Mode.ROWS || plan.sortKeys.isEmpty() || plan.distinct ) {
				throw QueryPlanner.reject( "keyset paging of this query", "keyset pages need a row query (no aggregates, "
						+ "GROUP BY or DISTINCT) with an ORDER BY", "add an ORDER BY that orders rows totally" );
			}
			if ( after != null && after.values().size() != plan.sortKeys.size() ) {
				throw new IllegalArgumentException( "keyset must have one value per ORDER BY item (" + plan.sortKeys.size()
						+ ": " + plan.sortKeys.stream().map( MergePlan.SortKey::text ).toList() + "), but had "
						+ after.values().size() + ": " + after );
			}
		}
		checkParameters( plan, spec );
		FanOutOptions options = resolve( spec.overrides() );
		long offset = keyset ? 0 : resolveBound( spec.firstResult(), plan.offset, spec, "OFFSET", 0 );
		long limit = keyset ? pageSize + 1L : resolveBound( spec.maxResults(), plan.fetch, spec, "LIMIT", -1 );
		long perShard = plan.pushdown && limit >= 0 ? offset + limit : -1;
		Targets targets = targets( spec.scope(), options );
		if ( plan.streamingOrder && targets.shards.size() > options.maxConcurrentShards()
				&& ( perShard < 0 || perShard > FanOut.rowsPerShardQueue( options, targets.shards.size() ) ) ) {
			throw new CrossShardQueryException( "cross-shard query merges " + targets.shards.size() + " shards in ORDER BY "
					+ "order, which needs every shard's cursor open at once, but maxConcurrentShards is "
					+ options.maxConcurrentShards() + " and the shards' rows do not fit the row buffer (" + options.maxBufferedRows()
					+ " rows); raise maxConcurrentShards to " + targets.shards.size() + ", add a limit, or drop the ORDER BY" );
		}
		int shardColumns = plan.shardColumns;
		FanOut.ShardWork work = (target, task) -> runShard( plan, spec, target, task, after, perShard, shardColumns );
		FanOut fanOut = new FanOut( this, limit == 0 ? List.of() : targets.shards, work, options, plan.streamingOrder,
				targets.failures );
		try {
			failFast( targets, options );
			fanOut.start();
			Rows rows = pipeline( plan, fanOut, options, offset, limit );
			return new Execution<>( plan, fanOut, rows, spec.resultType() );
		}
		catch (RuntimeException e) {
			fanOut.close();
			throw e;
		}
	}

	private static void failFast(Targets targets, FanOutOptions options) {
		if ( !targets.failures.isEmpty() && options.partialResults() == PartialResults.FAIL ) {
			throw FanOut.failedException( targets.failures );
		}
	}

	private Rows pipeline(MergePlan plan, FanOut fanOut, FanOutOptions options, long offset, long limit) {
		Rows source = plan.streamingOrder ? new Rows.Merge( fanOut, plan.shardOrder() ) : new Rows.Concat( fanOut );
		Rows merged = switch ( plan.mode ) {
			case ROWS -> source;
			case AGGREGATE -> new Rows.Aggregate( source, new Combiner( plan.columns, semantics ) );
			case GROUPED -> {
				// the keys' positions in the shard rows (an AVG before a key takes two shard columns)
				int[] shardKeys = plan.columns.stream().filter( c -> c.aggregate() == null ).mapToInt( MergePlan.Column::shardIndex ).toArray();
				Combiner combiner = new Combiner( plan.columns, semantics );
				if ( plan.streamingOrder ) {
					yield new Rows.StreamingGroups( source, combiner, shardKeys );
				}
				yield new Rows.HashGroups( source, combiner, shardKeys, plan.sortKeys.isEmpty() ? null : plan.mergedOrder(),
						options.maxBufferedRows() );
			}
		};
		if ( plan.distinct && !plan.distinctPerShardOnly ) {
			merged = new Rows.Distinct( merged, plan.userColumns, plan.adjacentDistinct, options.maxBufferedRows() );
		}
		return offset > 0 || limit >= 0 ? new Rows.Slice( merged, offset, limit ) : merged;
	}

	private void runShard(MergePlan plan, QuerySpec spec, ShardTarget target, FanOut.Task task, Keyset after,
			long perShard, int shardColumns) throws Exception {
		try ( StatelessSession session = sessionFactory.withStatelessOptions().tenantIdentifier( (Object) target.sessionId() )
				.readOnly( true ).openStatelessSession() ) {
			restrict( session, target, true );
			task.register( session );
			if ( semantics.needsProbe( plan.stringsNeeded, !plan.sortKeys.isEmpty() ) ) {
				verify( target.shard(), session, plan.stringsNeeded );
			}
			SqmSelectStatement<Object[]> statement = plan.template.copy( org.hibernate.query.sqm.tree.SqmCopyContext.simpleContext() );
			if ( after != null ) {
				Keysets.restrict( statement, plan, after.values() );
			}
			org.hibernate.Transaction tx = session.beginTransaction();
			try {
				@SuppressWarnings("unchecked")
				org.hibernate.query.SelectionQuery<Object> q = (org.hibernate.query.SelectionQuery<Object>) (Object) session.createSelectionQuery( statement );
				bind( q, spec );
				q.setFetchSize( (int) Math.min( task.fetchSize(), perShard < 0 ? Integer.MAX_VALUE : Math.max( 1, perShard ) ) );
				q.setTimeout( task.options().jdbcTimeoutSeconds() );
				if ( perShard >= 0 ) {
					q.setMaxResults( (int) Math.min( perShard, Integer.MAX_VALUE ) );
				}
				// a single selection arrives either bare or as a one-element array, depending on how Hibernate reads it
				Class<?> single = shardColumns == 1 ? statement.getQuerySpec().getSelectClause().getSelections().get( 0 )
						.getSelectableNode().getJavaType() : null;
				boolean bareArrays = single != null && single.isArray();
				task.querying( true );
				try ( org.hibernate.ScrollableResults<Object> rows = q.scroll( org.hibernate.ScrollMode.FORWARD_ONLY ) ) {
					while ( !task.cancelled() && rows.next() ) {
						Object r = rows.get();
						Object[] row = r instanceof Object[] a && a.length == shardColumns && !bareArrays ? a : new Object[] { r };
						if ( !task.emit( row ) ) {
							break;
						}
					}
					task.querying( false );
				}
				finally {
					task.querying( false );
				}
			}
			finally {
				if ( tx.isActive() ) {
					try {
						tx.rollback();
					}
					catch (RuntimeException ignored) {
						// cancelled or broken connection: closing the session returns it to the pool
					}
				}
			}
		}
	}

	/** Applies the tenant restriction of a shard session and checks that the @TenantId filter is off. */
	private void restrict(SharedSessionContract session, ShardTarget target, boolean required) {
		if ( !target.allTenants() ) {
			// a tenant-subset session starts with @TenantId filtering on a value no row has (fail closed): swap it
			session.disableFilter( TenantIdBinder.FILTER_NAME );
		}
		if ( session.getEnabledFilter( TenantIdBinder.FILTER_NAME ) != null ) {
			throw new CrossShardQueryException( "the all-tenants session of shard '" + target.shard() + "' still has the "
					+ "@TenantId filter on: the tenant identifier resolver "
					+ sessionFactory.getCurrentTenantIdentifierResolver().getClass().getName() + " does not report Shardwise's "
					+ "all-tenants sessions as root; use io.shardwise.ShardwiseTenantResolver (the default), or let its "
					+ "isRoot(id) return io.shardwise.internal.ShardSessionIds.isAllTenants(id)" );
		}
		if ( sessionFactory.getDefinedFilterNames().contains( TenantRestrictionContributor.FILTER_NAME ) ) {
			session.enableFilter( TenantRestrictionContributor.FILTER_NAME )
					.setParameterList( TenantRestrictionContributor.PARAMETER_NAME, target.tenants() );
		}
		else if ( !target.allTenants() || required ) {
			throw new CrossShardQueryException( "cannot restrict shard '" + target.shard() + "' to tenants " + target.tenants()
					+ ": the persistence unit has no entity with a @TenantId attribute" );
		}
	}

	private void verify(String shard, SharedSessionContract session, StringOrder needed) {
		String key = shard + "@" + runtime.requireHandle( shard ).shard().version() + "/" + needed;
		Optional<String> problem = probes.get( key );
		if ( problem == null ) {
			problem = Optional.ofNullable( session.doReturningWork( c -> semantics.probe( c, needed ) ) );
			probes.put( key, problem );
		}
		if ( problem.isPresent() ) {
			throw new UnmergeableQueryException( "cross-shard query cannot be merged exactly: it "
					+ ( needed == null ? "orders rows" : needed.ordered() ? "orders or compares strings"
							: "groups or deduplicates strings" ) + ", but on shard '" + shard + "' " + problem.get()
					+ "; give every shard database the settings the merger reproduces, or drop the ORDER BY" );
		}
	}

	private void bind(org.hibernate.query.SelectionQuery<Object> q, QuerySpec spec) {
		var metadata = q.getParameterMetadata();
		for ( Map.Entry<String, Object> p : spec.namedParameters().entrySet() ) {
			if ( metadata.findQueryParameter( p.getKey() ) != null ) {
				if ( p.getValue() instanceof Collection<?> c ) {
					q.setParameterList( p.getKey(), c );
				}
				else {
					q.setParameter( p.getKey(), p.getValue() );
				}
			}
		}
		for ( Map.Entry<Integer, Object> p : spec.positionalParameters().entrySet() ) {
			if ( metadata.findQueryParameter( p.getKey() ) != null ) {
				if ( p.getValue() instanceof Collection<?> c ) {
					q.setParameterList( p.getKey(), c );
				}
				else {
					q.setParameter( p.getKey(), p.getValue() );
				}
			}
		}
	}

	private static void checkParameters(MergePlan plan, QuerySpec spec) {
		for ( String name : spec.namedParameters().keySet() ) {
			if ( !plan.parameterNames.contains( name ) ) {
				throw new IllegalArgumentException( "parameter '" + name + "' is not a parameter of the query (its named "
						+ "parameters: " + plan.parameterNames + ")" );
			}
		}
		for ( Integer position : spec.positionalParameters().keySet() ) {
			if ( !plan.parameterPositions.contains( position ) ) {
				throw new IllegalArgumentException( "parameter ?" + position + " is not a parameter of the query (its "
						+ "positional parameters: " + plan.parameterPositions + ")" );
			}
		}
		for ( String name : plan.parameterNames ) {
			if ( !spec.namedParameters().containsKey( name ) ) {
				throw new IllegalArgumentException( "parameter '" + name + "' of the query must be bound with "
						+ "setParameter(\"" + name + "\", value), but was not" );
			}
		}
		for ( Integer position : plan.parameterPositions ) {
			if ( !spec.positionalParameters().containsKey( position ) ) {
				throw new IllegalArgumentException( "parameter ?" + position + " of the query must be bound with "
						+ "setParameter(" + position + ", value), but was not" );
			}
		}
	}

	private static long resolveBound(Integer api, MergePlan.Bound bound, QuerySpec spec, String what, long none) {
		if ( api != null ) {
			return api;
		}
		Object value;
		if ( bound.literal() != null ) {
			value = bound.literal();
		}
		else if ( bound.parameterName() != null ) {
			value = spec.namedParameters().get( bound.parameterName() );
			if ( value == null ) {
				throw new IllegalArgumentException( "parameter '" + bound.parameterName() + "' of the " + what + " must be set, but was not" );
			}
		}
		else if ( bound.parameterPosition() != null ) {
			value = spec.positionalParameters().get( bound.parameterPosition() );
			if ( value == null ) {
				throw new IllegalArgumentException( "parameter ?" + bound.parameterPosition() + " of the " + what + " must be set, but was not" );
			}
		}
		else {
			return none;
		}
		if ( !( value instanceof Number n ) || n.longValue() < 0 ) {
			throw new IllegalArgumentException( what + " must be a number 0 or greater, but was " + Checks.quote( value ) );
		}
		return n.longValue();
	}

	private MergePlan plan(QuerySpec spec, boolean keyset) {
		boolean apiLimit = spec.firstResult() != null || spec.maxResults() != null;
		if ( spec.hql() != null ) {
			PlanKey key = new PlanKey( spec.hql(), spec.resultType(), spec.tenantLocal(), keyset, apiLimit );
			MergePlan plan = plans.get( key );
			if ( plan == null ) {
				SqmStatement<?> statement;
				try {
					statement = sessionFactory.getQueryEngine().interpretHql( spec.hql(), spec.resultType() ).getSqmStatement();
				}
				catch (org.hibernate.query.SemanticException e) {
					// Hibernate checks 'select new' constructors while parsing (criteria: see Instantiation)
					if ( e.getMessage() != null && e.getMessage().startsWith( "Missing constructor" ) ) {
						throw new IllegalArgumentException( "the class of 'select new' must have a constructor whose parameters "
								+ "accept the selected values in order, but Hibernate found none: " + e.getMessage()
								+ "; add such a constructor, or cast the selected values to its parameter types", e );
					}
					throw e;
				}
				if ( !( statement instanceof SqmSelectStatement<?> select ) ) {
					throw new IllegalArgumentException( "cross-shard queries must be select queries, but was " + Checks.quote( spec.hql() ) );
				}
				plan = checkResultType( planner.plan( select, spec.tenantLocal(), keyset, apiLimit ), spec.resultType() );
				if ( plans.size() > 512 ) {
					plans.clear();
				}
				plans.put( key, plan );
			}
			return plan;
		}
		return checkResultType( planner.plan( spec.criteria(), spec.tenantLocal(), keyset, apiLimit ), spec.resultType() );
	}

	private static MergePlan checkResultType(MergePlan plan, Class<?> type) {
		if ( plan.instantiation != null ) {
			if ( !type.isAssignableFrom( plan.instantiation.type() ) ) {
				throw new IllegalArgumentException( "the query constructs " + plan.instantiation + ", so its result type must be "
						+ plan.instantiation.type().getName() + " (or a supertype), but was " + type.getName() );
			}
			return plan;
		}
		if ( plan.userColumns > 1 && type != Object[].class && type != Object.class && type != Tuple.class ) {
			throw new IllegalArgumentException( "the query selects " + plan.userColumns + " values, so its result type must be "
					+ "Object[] or Tuple, but was " + type.getName() );
		}
		return plan;
	}

	// ---------------------------------------------------------------- targets

	private record Targets(List<ShardTarget> shards, List<ShardFailure> failures) {
	}

	/**
	 * The shards to query and what to read there. A tenant is read from the shard its placement names, and only
	 * there (the placements are read once, at the start): rows a tenant left behind on another shard, or copied ahead
	 * to its next one during a move, are never counted.
	 */
	private Targets targets(QuerySpec.Scope scope, FanOutOptions options) {
		Map<String, List<String>> byShard = new TreeMap<>();
		Map<String, List<String>> suspended = new TreeMap<>();
		if ( scope.allTenants() ) {
			for ( TenantPlacement p : runtime.store().placements() ) {
				( p.status() == PlacementStatus.SUSPENDED ? suspended : byShard ).computeIfAbsent( p.shard(), k -> new ArrayList<>() )
						.add( p.tenantId() );
			}
		}
		else {
			if ( scope.tenants().isEmpty() ) {
				throw new IllegalArgumentException( "tenant set of a cross-shard query must not be empty, but was []" );
			}
			for ( String tenant : scope.tenants() ) {
				TenantIds.validate( tenant );
				TenantPlacement p = runtime.placement( tenant ).orElseThrow( () -> new UnknownTenantException( "tenant "
						+ Checks.quote( tenant ) + " of the cross-shard query has no placement: provision it, or leave it out" ) );
				( p.status() == PlacementStatus.SUSPENDED ? suspended : byShard ).computeIfAbsent( p.shard(), k -> new ArrayList<>() )
						.add( tenant );
			}
		}
		List<ShardFailure> failures = new ArrayList<>();
		suspended.forEach( (shard, tenants) -> failures.add( new ShardFailure( shard, ShardFailure.Kind.TENANT_UNAVAILABLE,
				"tenant(s) " + tenants + " on shard '" + shard + "' are SUSPENDED: their rows were not read; set their placement "
						+ "ACTIVE to include them", null ) ) );
		Map<String, ShardHandle> handles = new TreeMap<>();
		for ( ShardHandle h : runtime.handles() ) {
			handles.put( h.name(), h );
		}
		List<ShardTarget> shards = new ArrayList<>();
		for ( Map.Entry<String, List<String>> e : byShard.entrySet() ) {
			String shard = e.getKey();
			List<String> tenants = e.getValue();
			tenants.sort( null );
			ShardHandle handle = handles.get( shard );
			String down = handle == null ? "tenants " + tenants + " are placed on shard '" + shard + "', which is not in the "
					+ "topology (shards: " + runtime.describeShards() + ")" : ShardAvailability.unavailable( handle );
			if ( down != null ) {
				failures.add( new ShardFailure( shard, ShardFailure.Kind.UNAVAILABLE, down, null ) );
				continue;
			}
			if ( tenants.size() > MAX_TENANTS_PER_SHARD ) {
				throw new CrossShardQueryException( "shard '" + shard + "' holds " + tenants.size() + " tenants of this query, "
						+ "more than the " + MAX_TENANTS_PER_SHARD + " one tenant restriction can list (one bind parameter "
						+ "each); query a subset of the tenants at a time" );
			}
			shards.add( new ShardTarget( shard, scope.allTenants() ? ShardSessionIds.allTenants( shard )
					: ShardSessionIds.tenantSubset( shard ), scope.allTenants(), tenants ) );
		}
		return new Targets( shards, failures );
	}

	private FanOutOptions resolve(QuerySpec.Overrides o) {
		if ( o == null ) {
			return defaults;
		}
		return new FanOutOptions(
				o.partialResults() != null ? o.partialResults() : defaults.partialResults(),
				o.shardTimeout() != null ? o.shardTimeout() : defaults.shardTimeout(),
				o.timeout() != null ? o.timeout() : defaults.timeout(),
				o.maxConcurrentShards() != null ? o.maxConcurrentShards() : defaults.maxConcurrentShards(),
				o.maxBufferedRows() != null ? o.maxBufferedRows() : defaults.maxBufferedRows(),
				defaults.fetchSize() );
	}

	private static List<Object> keyValues(MergePlan plan, Object[] row) {
		List<Object> values = new ArrayList<>( plan.sortKeys.size() );
		for ( MergePlan.SortKey k : plan.sortKeys ) {
			values.add( row[k.column()] );
		}
		return values;
	}

	// ---------------------------------------------------------------- accessors for the parts

	SessionFactoryImplementor sessionFactory() {
		return sessionFactory;
	}

	DatabaseSemantics semantics() {
		return semantics;
	}

	boolean isTenantEntity(String entityName) {
		return tenantEntities.contains( entityName );
	}

	boolean isManagedType(Class<?> type) {
		return type != null && managedTypes.contains( type );
	}

	Semaphore threads() {
		return threads;
	}

	int threadCount() {
		return threadCount;
	}

	ExecutorService executor() {
		return executor;
	}

	ScheduledExecutorService watchdog() {
		return watchdog;
	}

	long nanoTime() {
		return nanoClock.getAsLong();
	}

	@Override
	public void close() {
		executor.shutdownNow();
		watchdog.shutdownNow();
	}

	// ---------------------------------------------------------------- one running query

	/** A started query: its plan, shard queries and merge pipeline. */
	static final class Execution<T> implements AutoCloseable {
		final MergePlan plan;
		final FanOut fanOut;
		final Rows rows;
		private final Class<?> resultType;
		/** Tuple results: Hibernate's own tuple metadata (not shared: it indexes aliases lazily). */
		private final TupleMetadata tuple;

		Execution(MergePlan plan, FanOut fanOut, Rows rows, Class<?> resultType) {
			this.plan = plan;
			this.fanOut = fanOut;
			this.rows = rows;
			this.resultType = resultType;
			this.tuple = resultType == Tuple.class && plan.instantiation == null
					? new TupleMetadata( plan.elements.toArray( new TupleElement<?>[0] ), plan.aliases.toArray( new String[0] ) )
					: null;
		}

		@SuppressWarnings("unchecked")
		T project(Object[] merged) {
			if ( plan.instantiation != null ) {
				return (T) plan.instantiation.create( merged, plan.userColumns );
			}
			if ( tuple != null ) {
				return (T) new TupleImpl( tuple, java.util.Arrays.copyOf( merged, plan.userColumns ) );
			}
			if ( resultType == Object[].class || ( resultType == Object.class && plan.userColumns > 1 ) ) {
				return (T) ( merged.length == plan.userColumns ? merged : java.util.Arrays.copyOf( merged, plan.userColumns ) );
			}
			Object v = merged[0];
			if ( v != null && !wrapper( resultType ).isInstance( v ) ) {
				throw new CrossShardQueryException( "the query's result type is " + resultType.getName() + ", but it selects "
						+ "a value of type " + v.getClass().getName() + " (" + plan.columns.get( 0 ).text() + ")" );
			}
			return (T) v;
		}

		private static Class<?> wrapper(Class<?> c) {
			if ( !c.isPrimitive() ) {
				return c;
			}
			return java.lang.invoke.MethodType.methodType( c ).wrap().returnType();
		}

		@Override
		public void close() {
			fanOut.close();
		}
	}
}
