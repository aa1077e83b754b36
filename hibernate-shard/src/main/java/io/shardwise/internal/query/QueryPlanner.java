package io.shardwise.internal.query;

import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.hibernate.metamodel.mapping.AttributeMapping;
import org.hibernate.metamodel.mapping.BasicValuedModelPart;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.query.common.FetchClauseType;
import org.hibernate.query.sqm.NodeBuilder;
import org.hibernate.query.sqm.function.FunctionKind;
import org.hibernate.query.sqm.tree.SqmCopyContext;
import org.hibernate.query.sqm.tree.domain.SqmPath;
import org.hibernate.query.sqm.tree.domain.SqmTreatedRoot;
import org.hibernate.query.sqm.tree.expression.JpaCriteriaParameter;
import org.hibernate.query.sqm.tree.expression.SqmAggregateFunction;
import org.hibernate.query.sqm.tree.expression.SqmAliasedNodeRef;
import org.hibernate.query.sqm.tree.expression.SqmDistinct;
import org.hibernate.query.sqm.tree.expression.SqmExpression;
import org.hibernate.query.sqm.tree.expression.SqmFunction;
import org.hibernate.query.sqm.tree.expression.SqmLiteral;
import org.hibernate.query.sqm.tree.expression.SqmNamedParameter;
import org.hibernate.query.sqm.tree.expression.SqmPositionalParameter;
import org.hibernate.query.sqm.tree.expression.SqmSummarization;
import org.hibernate.query.sqm.tree.expression.ValueBindJpaCriteriaParameter;
import org.hibernate.query.sqm.tree.from.SqmAttributeJoin;
import org.hibernate.query.sqm.tree.from.SqmFrom;
import org.hibernate.query.sqm.tree.from.SqmJoin;
import org.hibernate.query.sqm.tree.from.SqmRoot;
import org.hibernate.query.sqm.tree.select.SqmDynamicInstantiation;
import org.hibernate.query.sqm.tree.select.SqmDynamicInstantiationArgument;
import org.hibernate.query.sqm.tree.select.SqmJpaCompoundSelection;
import org.hibernate.query.sqm.tree.select.SqmOrderByClause;
import org.hibernate.query.sqm.tree.select.SqmQuerySpec;
import org.hibernate.query.sqm.tree.select.SqmSelectClause;
import org.hibernate.query.sqm.tree.select.SqmSelectStatement;
import org.hibernate.query.sqm.tree.select.SqmSelectableNode;
import org.hibernate.query.sqm.tree.select.SqmSelection;
import org.hibernate.query.sqm.tree.select.SqmSortSpecification;
import org.hibernate.type.SqlTypes;

import io.shardwise.internal.query.MergePlan.Aggregate;
import io.shardwise.internal.query.MergePlan.Bound;
import io.shardwise.internal.query.MergePlan.Column;
import io.shardwise.internal.query.MergePlan.Mode;
import io.shardwise.internal.query.MergePlan.SortKey;
import io.shardwise.query.UnmergeableQueryException;

/**
 * Reads a query's SQM tree (never its text) and decides how to run it on the shards and merge the rows, or rejects it
 * when the merged answer could differ from a single database's. Rewrites a copy of the tree for the shards:
 * {@code ORDER BY 2} and aliases become the selected expressions, ORDER BY and GROUP BY expressions that are not
 * selected become hidden selections, {@code avg(x)} becomes {@code sum(x), count(x)}, and LIMIT/OFFSET are removed
 * (they are applied by the merger and pushed down as a maximum row count).
 */
final class QueryPlanner {
	private static final Set<String> MERGEABLE = Set.of( "count", "sum", "min", "max", "avg" );

	private final QueryEngine engine;

	QueryPlanner(QueryEngine engine) {
		this.engine = engine;
	}

	/** A column being planned: its node in the shard statement (AVG: the avg node, replaced later). */
	private static final class Item {
		final SqmSelectableNode<?> node;
		final Aggregate aggregate;
		boolean groupKey;
		final boolean hidden;

		Item(SqmSelectableNode<?> node, Aggregate aggregate, boolean hidden) {
			this.node = node;
			this.aggregate = aggregate;
			this.hidden = hidden;
		}
	}

	MergePlan plan(SqmSelectStatement<?> original, boolean tenantLocal, boolean keyset, boolean apiLimit) {
		Set<String> parameterNames = new java.util.TreeSet<>();
		Set<Integer> parameterPositions = new java.util.TreeSet<>();
		for ( org.hibernate.query.sqm.tree.expression.SqmParameter<?> p : original.getSqmParameters() ) {
			if ( p instanceof SqmPositionalParameter<?> pos ) {
				parameterPositions.add( pos.getPosition() );
			}
			else if ( p.getName() != null && !( p instanceof ValueBindJpaCriteriaParameter<?> ) ) {
				parameterNames.add( p.getName() );
			}
		}
		SqmSelectStatement<Object[]> copy = original.createCopy( SqmCopyContext.simpleContext(), Object[].class );
		if ( !copy.getCteStatements().isEmpty() ) {
			throw reject( "a WITH clause (common table expression)", "it would be evaluated on each shard separately",
					"inline it, or run it per shard with a session callback" );
		}
		if ( !( copy.getQueryPart() instanceof SqmQuerySpec<?> spec ) ) {
			throw reject( "UNION, INTERSECT or EXCEPT", "set operations are not merged across shards",
					"run each part as its own cross-shard query and combine the results" );
		}
		NodeBuilder nb = copy.nodeBuilder();
		checkFrom( spec, tenantLocal );

		// ---- selections
		// 'select new' arguments and compound selection items are planned as ordinary columns; the objects and
		// tuples are built from the merged rows
		List<SqmSelectableNode<?>> selected = new ArrayList<>();
		List<String> aliases = new ArrayList<>();
		Instantiation instantiation = null;
		List<SqmSelection<?>> selections = spec.getSelectClause().getSelections();
		for ( SqmSelection<?> s : selections ) {
			SqmSelectableNode<?> node = s.getSelectableNode();
			if ( node instanceof SqmDynamicInstantiation<?> dynamic ) {
				if ( selections.size() > 1 ) {
					throw reject( "'select new ...' (" + SqmInspector.describe( node ) + ") beside other selections",
							"the merger constructs one object per row from all selected values",
							"select only the 'select new ...', or select the values (result type Object[])" );
				}
				List<Class<?>> types = new ArrayList<>();
				for ( SqmDynamicInstantiationArgument<?> argument : dynamic.getArguments() ) {
					SqmSelectableNode<?> item = argument.getSelectableNode();
					if ( item instanceof SqmDynamicInstantiation<?> || item instanceof SqmJpaCompoundSelection<?> ) {
						throw reject( "a nested 'select new ...' (" + SqmInspector.describe( item ) + ")",
								"only one level of instantiation is built from the merged rows",
								"construct the inner object from the outer one's constructor arguments" );
					}
					selected.add( item );
					aliases.add( argument.getAlias() );
					types.add( item.getJavaType() );
				}
				instantiation = Instantiation.of( dynamic, types, aliases, engine.sessionFactory().getTypeConfiguration() );
			}
			else if ( node instanceof SqmJpaCompoundSelection<?> compound ) {
				for ( SqmSelectableNode<?> item : compound.getSelectionItems() ) {
					if ( item instanceof SqmDynamicInstantiation<?> || item instanceof SqmJpaCompoundSelection<?> ) {
						throw reject( "a nested compound selection", "the merger needs plain selected values",
								"select the values (result type Object[])" );
					}
					selected.add( item );
					aliases.add( item.getAlias() );
				}
			}
			else {
				selected.add( node );
				aliases.add( s.getAlias() );
			}
		}
		int userColumns = selected.size();
		List<Item> items = new ArrayList<>();
		boolean anyAggregate = false;
		for ( SqmSelectableNode<?> node : selected ) {
			Aggregate a = classify( node, "the select clause", tenantLocal );
			anyAggregate |= a != null;
			items.add( new Item( node, a, false ) );
		}

		// ---- GROUP BY, HAVING
		List<SqmExpression<?>> groupBy = new ArrayList<>();
		for ( SqmExpression<?> g : spec.getGroupByClauseExpressions() ) {
			if ( g instanceof SqmSummarization<?> ) {
				throw reject( "GROUP BY ROLLUP/CUBE", "subtotals are not merged across shards", "group without ROLLUP/CUBE and add subtotals yourself" );
			}
			SqmExpression<?> e = resolveRef( g, selected );
			SqmInspector inspected = SqmInspector.inspect( e );
			if ( inspected.aggregate || inspected.window ) {
				throw reject( "GROUP BY " + SqmInspector.describe( e ), "it contains an aggregate or window function", "group by plain expressions" );
			}
			checkSubquery( inspected, "GROUP BY " + SqmInspector.describe( e ), tenantLocal );
			groupBy.add( e );
		}
		if ( !groupBy.isEmpty() ) {
			spec.setGroupByClauseExpressions( groupBy );
		}
		if ( spec.getHavingClausePredicate() != null ) {
			SqmInspector having = SqmInspector.inspect( spec.getHavingClausePredicate() );
			if ( having.aggregate || having.window ) {
				throw reject( "HAVING with an aggregate (" + having.firstAggregate + ")",
						"each shard would filter its partial groups, not the merged ones",
						"select the aggregate and filter the merged rows, or put conditions on the grouping keys in WHERE" );
			}
			checkSubquery( having, "HAVING", tenantLocal );
		}
		Mode mode = !groupBy.isEmpty() ? Mode.GROUPED : anyAggregate ? Mode.AGGREGATE : Mode.ROWS;
		if ( mode == Mode.GROUPED ) {
			for ( SqmExpression<?> g : groupBy ) {
				int i = indexOf( items, g );
				if ( i < 0 ) {
					Item hidden = new Item( g, null, true );
					items.add( hidden );
					i = items.size() - 1;
				}
				items.get( i ).groupKey = true;
			}
		}
		SqmInspector where = SqmInspector.inspect( spec.getWhereClause() == null ? null : spec.getWhereClause().getPredicate() );
		checkSubquery( where, "WHERE", tenantLocal );
		boolean distinct = spec.getSelectClause().isDistinct();

		// ---- ORDER BY
		List<SqmSortSpecification> sorts = new ArrayList<>();
		List<int[]> sortItems = new ArrayList<>(); // {item index}
		if ( spec.getOrderByClause() != null && mode != Mode.AGGREGATE ) {
			for ( SqmSortSpecification s : spec.getOrderByClause().getSortSpecifications() ) {
				SqmExpression<?> e = resolveRef( s.getSortExpression(), selected );
				String text = SqmInspector.describe( e );
				if ( s.isIgnoreCase() ) {
					throw reject( "ORDER BY " + text + " IGNORE CASE", "the database's case-insensitive order is not reproducible",
							"order by lower(" + text + ") and select it" );
				}
				Aggregate a = classify( e, "ORDER BY", tenantLocal );
				int i = indexOf( items, e );
				if ( i < 0 ) {
					if ( distinct ) {
						throw reject( "ORDER BY " + text + " with SELECT DISTINCT", "the ORDER BY expression is not selected",
								"select it too (SQL requires that for DISTINCT)" );
					}
					items.add( new Item( e, a, true ) );
					i = items.size() - 1;
				}
				sorts.add( new SqmSortSpecification( e, s.getSortDirection(), s.getNullPrecedence(), false ) );
				sortItems.add( new int[] { i } );
			}
			spec.getOrderByClause().setSortSpecifications( sorts );
		}
		else if ( spec.getOrderByClause() != null ) {
			spec.setOrderByClause( null );
		}
		if ( mode == Mode.ROWS ) {
			for ( Item item : items ) {
				if ( item.aggregate != null ) {
					throw reject( "the aggregate " + SqmInspector.describe( item.node ) + " in ORDER BY of a query without "
							+ "aggregates in its select clause", "there are no groups to order", "select the aggregate, or group" );
				}
			}
		}

		// ---- LIMIT / OFFSET of the query itself
		if ( spec.getFetchExpression() != null && spec.getFetchClauseType() != FetchClauseType.ROWS_ONLY ) {
			throw reject( "FETCH ... " + spec.getFetchClauseType(), "only a plain row limit is merged",
					"use LIMIT n / FETCH FIRST n ROWS ONLY" );
		}
		Bound fetch = bound( spec.getFetchExpression(), "LIMIT" );
		Bound offset = bound( spec.getOffsetExpression(), "OFFSET" );
		if ( ( fetch.present() || offset.present() ) && ( apiLimit || keyset ) ) {
			throw reject( "LIMIT/OFFSET in the query together with maxResults/firstResult or keyset paging",
					"the two would be ambiguous", "use one or the other" );
		}
		spec.setFetchExpression( null );
		spec.setOffsetExpression( null );

		// ---- the shard select list and the merged columns
		StringOrder expected = engine.semantics().expectedStrings();
		boolean needOrderedStrings = false;
		boolean needStringEquality = false;
		// GROUP BY rows are unique per shard anyway; DISTINCT over them is applied after merging
		SqmSelectClause clause = new SqmSelectClause( distinct && mode == Mode.ROWS, items.size() + 2, nb );
		List<Column> columns = new ArrayList<>();
		int shardIndex = 0;
		for ( Item item : items ) {
			String text = SqmInspector.describe( item.node );
			if ( item.aggregate == Aggregate.AVG ) {
				SqmFunction<?> avg = (SqmFunction<?>) item.node;
				@SuppressWarnings("unchecked")
				SqmExpression<Number> arg = (SqmExpression<Number>) avg.getArguments().get( 0 );
				clause.addSelection( new SqmSelection<>( nb.sum( arg ), nb ) );
				clause.addSelection( new SqmSelection<>( nb.count( arg ), nb ) );
				columns.add( new Column( shardIndex, shardIndex + 1, Aggregate.AVG, false, ValueKind.NUMBER.comparator( expected, engine.semantics().sqlFloats() ),
						ValueKind.NUMBER, false, text ) );
				shardIndex += 2;
				continue;
			}
			clause.addSelection( new SqmSelection<>( item.node, nb ) );
			boolean entity = engine.isManagedType( item.node.getJavaType() );
			ValueKind kind = entity ? ValueKind.UNSUPPORTED : kindOf( item.node );
			Comparator<Object> comparator = null;
			if ( item.aggregate == Aggregate.MIN || item.aggregate == Aggregate.MAX ) {
				requireComparable( kind, text, item.aggregate.name().toLowerCase( Locale.ROOT ) + "(...)" );
				needOrderedStrings |= isString( kind );
			}
			if ( item.groupKey || ( mode == Mode.ROWS && distinct && !entity ) ) {
				if ( entity && item.groupKey ) {
					throw reject( "GROUP BY the entity " + text, "entities are not compared across shards", "group by its identifier and other columns" );
				}
				if ( kind == ValueKind.UNSUPPORTED && !entity ) {
					throw reject( ( item.groupKey ? "GROUP BY " : "SELECT DISTINCT " ) + text, "values of type "
							+ typeName( item.node ) + " cannot be compared for equality as the database does",
							"group or deduplicate by numbers, strings, booleans, dates or UUIDs" );
				}
				needStringEquality |= isString( kind );
			}
			if ( kind != ValueKind.UNSUPPORTED && ( kind != ValueKind.STRING && kind != ValueKind.ENUM_NAME || expected.ordered() ) ) {
				comparator = kind.comparator( expected, engine.semantics().sqlFloats() );
			}
			columns.add( new Column( shardIndex, -1, item.aggregate, item.groupKey, comparator, kind, entity, text ) );
			shardIndex++;
		}
		spec.setSelectClause( clause );

		List<SortKey> sortKeys = new ArrayList<>();
		for ( int k = 0; k < sorts.size(); k++ ) {
			SqmSortSpecification s = sorts.get( k );
			int i = sortItems.get( k )[0];
			Column c = columns.get( i );
			String text = "ORDER BY " + c.text();
			if ( c.entity() ) {
				throw reject( text, "ordering by an entity orders by its identifier, which the merger does not see",
						"order by the identifier attribute" );
			}
			requireComparable( c.kind(), c.text(), text );
			needOrderedStrings |= isString( c.kind() );
			int rowIndex = c.aggregate() == null ? c.shardIndex() : -1;
			boolean nullsFirst = engine.semantics().nullsFirst( s.getSortDirection(), s.getNullPrecedence() );
			sortKeys.add( new SortKey( i, rowIndex, s.getSortDirection() == org.hibernate.query.SortDirection.DESCENDING,
					nullsFirst, c.comparator(), c.text() ) );
		}
		if ( needOrderedStrings && !expected.ordered() ) {
			throw reject( "ordering or MIN/MAX of strings on " + engine.semantics().dialectName(),
					"the merger cannot reproduce this database's string collation",
					"order by numbers, dates or other non-string values, or use PostgreSQL (C collation) or H2" );
		}
		if ( needStringEquality && !expected.binaryEquality() ) {
			throw reject( "GROUP BY or DISTINCT on strings on " + engine.semantics().dialectName(),
					"the database's string equality (possibly case-insensitive) is not reproducible",
					"group by non-string values, or use PostgreSQL or H2" );
		}

		// ---- merge strategy
		boolean streaming = false;
		boolean adjacentDistinct = false;
		boolean perShardDistinct = false;
		boolean pushdown = false;
		List<SortKey> shardKeys = sortKeys;
		StringBuilder how = new StringBuilder();
		switch ( mode ) {
			case ROWS -> {
				streaming = !sortKeys.isEmpty();
				if ( distinct ) {
					perShardDistinct = columns.subList( 0, userColumns ).stream().anyMatch( Column::entity );
					boolean covered = coversColumns( sortKeys, userColumns );
					adjacentDistinct = !perShardDistinct && streaming && covered;
					pushdown = perShardDistinct || sortKeys.isEmpty() || covered;
				}
				else {
					pushdown = true;
				}
				how.append( streaming ? "k-way merge in ORDER BY order" : "concatenation" );
				if ( distinct ) {
					how.append( perShardDistinct ? ", DISTINCT per shard (entity rows differ across shards)"
							: adjacentDistinct ? ", DISTINCT by adjacent duplicates" : ", DISTINCT by a set of seen rows" );
				}
			}
			case AGGREGATE -> how.append( "aggregates combined into one row" );
			case GROUPED -> {
				int prefix = groupOrderPrefix( sortKeys, columns );
				streaming = prefix > 0;
				if ( streaming ) {
					sorts = sorts.subList( 0, prefix );
					shardKeys = sortKeys.subList( 0, prefix );
				}
				pushdown = streaming && !distinct;
				how.append( streaming ? "groups merged in ORDER BY (group key) order" : "groups merged in memory by key" );
				if ( !sortKeys.isEmpty() && !streaming ) {
					how.append( ", then sorted" );
				}
				if ( distinct ) {
					how.append( ", DISTINCT by a set of seen rows" );
				}
			}
		}
		if ( streaming ) {
			SqmOrderByClause ob = new SqmOrderByClause();
			sorts.forEach( ob::addSortSpecification );
			spec.setOrderByClause( ob );
		}
		else {
			// the shards' order would not be used: save them the sort
			spec.setOrderByClause( null );
		}
		how.append( pushdown ? "; each shard reads at most offset + limit rows" : "; no limit pushdown" );
		if ( !sortKeys.isEmpty() ) {
			how.append( "; order " ).append( sortKeys.stream().map( k -> k.text() + ( k.descending() ? " desc" : " asc" )
					+ ( k.nullsFirst() ? " nulls first" : " nulls last" ) ).collect( Collectors.joining( ", " ) ) );
		}
		StringOrder needed = needOrderedStrings ? expected : needStringEquality ? StringOrder.EQUALITY_ONLY : null;
		// as a criteria statement, its parameters are collected from the tree (keyset conditions add some)
		SqmSelectStatement<Object[]> template = new SqmSelectStatement<>( copy );
		if ( instantiation != null ) {
			how.append( "; each merged row constructs " ).append( instantiation );
		}
		return new MergePlan( template, mode, columns, userColumns, shardIndex, sortKeys, shardKeys, streaming, distinct, adjacentDistinct,
				perShardDistinct, pushdown, fetch, offset, needed, mode + ": " + how, parameterNames, parameterPositions,
				instantiation, selected, aliases );
	}

	// ---------------------------------------------------------------- checks

	private void checkFrom(SqmQuerySpec<?> spec, boolean tenantLocal) {
		List<SqmRoot<?>> roots = spec.getRootList();
		if ( roots.size() > 1 && !tenantLocal ) {
			throw reject( "several roots in FROM (" + roots.stream().map( SqmInspector::describe ).collect( Collectors.joining( ", " ) ) + ")",
					"each shard would only pair rows it holds itself, while a single database pairs rows of all tenants",
					"join along associations, or call allowTenantLocalJoins() if rows only ever pair within one tenant" );
		}
		for ( SqmRoot<?> root : roots ) {
			if ( root.getClass() != SqmRoot.class && !( root instanceof SqmTreatedRoot ) ) {
				throw reject( "FROM " + root.getClass().getSimpleName() + " (" + SqmInspector.describe( root ) + ")",
						"only entities can be queried across shards", "query the entity directly" );
			}
			String entity = root.getEntityName();
			if ( !engine.isTenantEntity( entity ) ) {
				throw reject( "FROM " + entity, "the entity has no @TenantId attribute, so its rows cannot be attributed to "
						+ "tenants (a table present on every shard would be counted once per shard, and a tenant being moved "
						+ "twice)", "query an entity with a @TenantId attribute" );
			}
			checkJoins( root, tenantLocal );
		}
	}

	private void checkJoins(SqmFrom<?, ?> from, boolean tenantLocal) {
		for ( SqmJoin<?, ?> join : from.getSqmJoins() ) {
			if ( join.getJoinPredicate() != null ) {
				checkSubquery( SqmInspector.inspect( join.getJoinPredicate() ), "a join condition", tenantLocal );
			}
			if ( !( join instanceof SqmAttributeJoin<?, ?> ) ) {
				String kind = join.getClass().getSimpleName();
				boolean entityOrCross = kind.contains( "EntityJoin" ) || kind.contains( "CrossJoin" );
				if ( !entityOrCross || !tenantLocal ) {
					throw reject( "a " + kind.replace( "Sqm", "" ) + " (" + SqmInspector.describe( join ) + ")",
							entityOrCross ? "each shard would only join rows it holds itself"
									: "derived, CTE and function joins are evaluated per shard",
							entityOrCross ? "join along an association, or call allowTenantLocalJoins() if the join only pairs "
									+ "rows of the same tenant" : "join along associations" );
				}
				if ( ( (SqmFrom<?, ?>) join ).getModel() instanceof org.hibernate.metamodel.model.domain.EntityDomainType<?> et
						&& !engine.isTenantEntity( et.getHibernateEntityName() ) ) {
					throw reject( "JOIN " + et.getHibernateEntityName(), "the entity has no @TenantId attribute", "join entities with a @TenantId" );
				}
			}
			checkJoins( join, tenantLocal );
		}
	}

	private static void checkSubquery(SqmInspector inspected, String where, boolean tenantLocal) {
		if ( inspected.subquery && !tenantLocal ) {
			throw reject( "a subquery in " + where, "it runs on each shard separately and sees only that shard's rows",
					"rewrite it as a join along an association, or call allowTenantLocalJoins() if it only looks at rows of "
							+ "the same tenant as the outer row" );
		}
	}

	/** The aggregate a node is, or {@code null} for a plain expression; rejects what cannot be merged. */
	private static Aggregate classify(SqmSelectableNode<?> node, String where, boolean tenantLocal) {
		String text = SqmInspector.describe( node );
		if ( node instanceof SqmFunction<?> f && isAggregate( f ) ) {
			String name = f.getFunctionName().toLowerCase( Locale.ROOT );
			if ( !MERGEABLE.contains( name ) ) {
				throw reject( "the aggregate " + text + " in " + where, "only count, sum, min, max and avg are merged across shards",
						"compute it per shard with a session callback, or from merged count/sum/min/max values" );
			}
			for ( Object arg : f.getArguments() ) {
				if ( arg instanceof SqmDistinct<?> && !name.equals( "min" ) && !name.equals( "max" ) ) {
					throw reject( text + " in " + where, "a value can occur on several shards, so per-shard distinct "
							+ "counts or sums cannot be added", "select distinct values (bounded by max-buffered-rows) and count them" );
				}
				if ( arg instanceof org.hibernate.query.sqm.tree.SqmVisitableNode v ) {
					SqmInspector in = SqmInspector.inspect( v );
					if ( in.aggregate || in.window ) {
						throw reject( text + " in " + where, "it nests aggregate or window functions", "use a single aggregate" );
					}
					checkSubquery( in, where, tenantLocal );
				}
			}
			if ( name.equals( "avg" ) && f instanceof SqmAggregateFunction<?> af && af.getFilter() != null ) {
				throw reject( text + " with FILTER (WHERE ...) in " + where, "avg is merged from sum and count, which would lose the filter",
						"move the condition to WHERE or use sum(...) filter / count(...) filter and divide" );
			}
			return Aggregate.valueOf( name.toUpperCase( Locale.ROOT ) );
		}
		SqmInspector inspected = SqmInspector.inspect( node );
		if ( inspected.window ) {
			throw reject( "a window function (" + text + ") in " + where, "each shard would compute it over its own rows only",
					"compute it from the merged rows" );
		}
		if ( inspected.aggregate ) {
			throw reject( text + " in " + where, "it is an expression over an aggregate (" + inspected.firstAggregate
					+ "), which the merger cannot evaluate", "select the aggregate itself and compute the expression from the merged value" );
		}
		checkSubquery( inspected, where, tenantLocal );
		return null;
	}

	private static boolean isAggregate(SqmFunction<?> f) {
		FunctionKind kind = f.getFunctionDescriptor().getFunctionKind();
		return kind == FunctionKind.AGGREGATE || kind == FunctionKind.ORDERED_SET_AGGREGATE;
	}

	private static SqmExpression<?> resolveRef(SqmExpression<?> e, List<SqmSelectableNode<?>> selected) {
		if ( e instanceof SqmAliasedNodeRef ref ) {
			int position = ref.getPosition();
			if ( position < 1 || position > selected.size() || !( selected.get( position - 1 ) instanceof SqmExpression<?> ) ) {
				throw reject( "the select item reference " + position, "it names no selected expression", "name the expression" );
			}
			return (SqmExpression<?>) selected.get( position - 1 );
		}
		return e;
	}

	private static int indexOf(List<Item> items, SqmSelectableNode<?> node) {
		for ( int i = 0; i < items.size(); i++ ) {
			if ( items.get( i ).node == node || items.get( i ).node.equals( node ) ) {
				return i;
			}
		}
		return -1;
	}

	private ValueKind kindOf(SqmSelectableNode<?> node) {
		Class<?> type = node.getJavaType();
		if ( type != null && type.isEnum() ) {
			Integer code = jdbcTypeCode( node );
			if ( code == null ) {
				return ValueKind.UNSUPPORTED;
			}
			// Hibernate declares native enum types stored by name with the names sorted, so they sort by name too
			return switch ( code ) {
				case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT, SqlTypes.ORDINAL_ENUM,
						SqlTypes.NAMED_ORDINAL_ENUM -> ValueKind.ENUM_ORDINAL;
				case Types.CHAR, Types.VARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGVARCHAR, SqlTypes.ENUM,
						SqlTypes.NAMED_ENUM -> ValueKind.ENUM_NAME;
				default -> ValueKind.UNSUPPORTED;
			};
		}
		return ValueKind.of( type );
	}

	private Integer jdbcTypeCode(SqmSelectableNode<?> node) {
		if ( node instanceof SqmPath<?> path && path.getLhs() instanceof SqmFrom<?, ?> from
				&& from.getModel() instanceof org.hibernate.metamodel.model.domain.EntityDomainType<?> et ) {
			EntityPersister persister = engine.sessionFactory().getMappingMetamodel().findEntityDescriptor( et.getHibernateEntityName() );
			if ( persister == null ) {
				return null;
			}
			AttributeMapping attribute = persister.findAttributeMapping( path.getReferencedPathSource().getPathName() );
			if ( attribute instanceof BasicValuedModelPart basic ) {
				return basic.getJdbcMapping().getJdbcType().getDefaultSqlTypeCode();
			}
		}
		return null;
	}

	private static boolean isString(ValueKind kind) {
		return kind == ValueKind.STRING || kind == ValueKind.ENUM_NAME;
	}

	private static void requireComparable(ValueKind kind, String text, String use) {
		if ( kind == ValueKind.UNSUPPORTED ) {
			throw reject( use + " on " + text, "its values cannot be compared the way the database compares them "
					+ "(supported: numbers, strings, booleans, dates and times, UUIDs, enums mapped to a column)",
					"order by a supported expression" );
		}
	}

	private static String typeName(SqmSelectableNode<?> node) {
		return node.getJavaType() == null ? "unknown" : node.getJavaType().getName();
	}

	/** Whether the ORDER BY keys cover every one of the first {@code n} merged columns. */
	private static boolean coversColumns(List<SortKey> keys, int n) {
		Set<Integer> covered = new HashSet<>();
		keys.forEach( k -> covered.add( k.column() ) );
		for ( int i = 0; i < n; i++ ) {
			if ( !covered.contains( i ) ) {
				return false;
			}
		}
		return true;
	}

	/**
	 * If the shards' groups arrive in one total order of their keys (the shortest prefix of the ORDER BY that names
	 * every GROUP BY key consists of group keys only), the length of that prefix; else 0.
	 */
	private static int groupOrderPrefix(List<SortKey> keys, List<Column> columns) {
		Set<Integer> groupKeys = new HashSet<>();
		for ( int i = 0; i < columns.size(); i++ ) {
			if ( columns.get( i ).groupKey() ) {
				groupKeys.add( i );
			}
		}
		Set<Integer> seen = new HashSet<>();
		for ( int i = 0; i < keys.size(); i++ ) {
			SortKey k = keys.get( i );
			if ( !groupKeys.contains( k.column() ) || k.shardIndex() < 0 ) {
				return 0;
			}
			seen.add( k.column() );
			if ( seen.containsAll( groupKeys ) ) {
				return i + 1;
			}
		}
		return 0;
	}

	private static Bound bound(SqmExpression<?> e, String what) {
		if ( e == null ) {
			return Bound.NONE;
		}
		if ( e instanceof SqmLiteral<?> l && l.getLiteralValue() instanceof Number n ) {
			return new Bound( n.intValue(), null, null, e );
		}
		if ( e instanceof org.hibernate.query.sqm.tree.expression.SqmHqlNumericLiteral<?> l ) {
			return new Bound( l.getLiteralValue().intValue(), null, null, e );
		}
		if ( e instanceof SqmNamedParameter<?> p ) {
			return new Bound( null, p.getName(), null, e );
		}
		if ( e instanceof SqmPositionalParameter<?> p ) {
			return new Bound( null, null, p.getPosition(), e );
		}
		if ( e instanceof ValueBindJpaCriteriaParameter<?> p && p.getValue() instanceof Number n ) {
			return new Bound( n.intValue(), null, null, e );
		}
		if ( e instanceof JpaCriteriaParameter<?> p && p.getName() != null ) {
			return new Bound( null, p.getName(), null, e );
		}
		throw reject( what + " " + SqmInspector.describe( e ), "it must be a number or a parameter", "use a literal or a parameter" );
	}

	static UnmergeableQueryException reject(String what, String why, String todo) {
		return new UnmergeableQueryException( "cross-shard query cannot be merged exactly: " + what + ": " + why
				+ "; " + todo );
	}
}
