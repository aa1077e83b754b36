package io.shardwise.internal.query;

import java.util.Comparator;
import java.util.List;

import jakarta.persistence.TupleElement;

import org.hibernate.query.sqm.tree.expression.SqmExpression;
import org.hibernate.query.sqm.tree.select.SqmSelectStatement;

/**
 * How a cross-shard query is run on every shard and how the shards' rows are merged into the answer a single database
 * would give. Built once per query by {@link QueryPlanner}; immutable except the shard statement template, which is
 * copied before each use.
 */
final class MergePlan {
	/** What the shard rows are. */
	enum Mode {
		/** Plain rows (entities or values): concatenated, or merged by the ORDER BY. */
		ROWS,
		/** Aggregates without GROUP BY: one row per shard, combined into one. */
		AGGREGATE,
		/** GROUP BY: groups of every shard combined by their keys. */
		GROUPED
	}

	/** The merge functions of aggregate columns. */
	enum Aggregate {
		COUNT, SUM, MIN, MAX, AVG
	}

	/**
	 * One column of the merged rows: a user selection (the first {@link #userColumns}) or a hidden one (a GROUP BY key
	 * or ORDER BY value that is not selected).
	 *
	 * @param shardIndex index of its value in the shard rows (AVG: of the SUM)
	 * @param countIndex AVG only: index of the COUNT in the shard rows, else -1
	 * @param aggregate how shard values combine; {@code null} for a key or plain value
	 * @param groupKey whether it is a GROUP BY expression
	 * @param comparator how values compare (MIN, MAX, sorting); {@code null} if never compared
	 * @param text the expression, for messages
	 */
	record Column(int shardIndex, int countIndex, Aggregate aggregate, boolean groupKey, Comparator<Object> comparator,
			ValueKind kind, boolean entity, String text) {
	}

	/**
	 * One ORDER BY item.
	 *
	 * @param column index in the merged rows
	 * @param shardIndex index in the shard rows, or -1 if the value exists only after merging (an aggregate)
	 */
	record SortKey(int column, int shardIndex, boolean descending, boolean nullsFirst, Comparator<Object> comparator,
			String text) {
	}

	/** A LIMIT or OFFSET of the query: a literal, or a parameter bound at execution. */
	record Bound(Integer literal, String parameterName, Integer parameterPosition, SqmExpression<?> expression) {
		static final Bound NONE = new Bound( null, null, null, null );

		boolean present() {
			return literal != null || parameterName != null || parameterPosition != null;
		}
	}

	final SqmSelectStatement<Object[]> template;
	final Mode mode;
	final List<Column> columns;
	final int userColumns;
	final int shardColumns;
	final List<SortKey> sortKeys;
	/** The ORDER BY keys the shards' rows arrive sorted by (all of them, or the group-key prefix). */
	final List<SortKey> shardSortKeys;
	/** Whether the shards' rows are consumed in ORDER BY order (k-way merge) rather than as they come. */
	final boolean streamingOrder;
	final boolean distinct;
	/** DISTINCT: duplicates are adjacent in the merged order (the ORDER BY covers every selected column). */
	final boolean adjacentDistinct;
	/** DISTINCT over entities: rows of different shards are different rows, nothing to remove across shards. */
	final boolean distinctPerShardOnly;
	/** Whether each shard may be limited to offset + limit rows. */
	final boolean pushdown;
	final Bound fetch;
	final Bound offset;
	/** The string semantics the shards must have for this plan (probed before the query runs on them). */
	final StringOrder stringsNeeded;
	final String description;
	/** The query's parameters that the caller must bind: names and positions. */
	final java.util.Set<String> parameterNames;
	final java.util.Set<Integer> parameterPositions;
	/** The {@code select new ...} built from the user columns of each merged row, or {@code null}. */
	final Instantiation instantiation;
	/** The user columns' selections and aliases ({@code null} where none): the elements of {@code Tuple} results. */
	final List<TupleElement<?>> elements;
	final List<String> aliases;

	MergePlan(SqmSelectStatement<Object[]> template, Mode mode, List<Column> columns, int userColumns, int shardColumns,
			List<SortKey> sortKeys, List<SortKey> shardSortKeys, boolean streamingOrder, boolean distinct, boolean adjacentDistinct,
			boolean distinctPerShardOnly, boolean pushdown, Bound fetch, Bound offset, StringOrder stringsNeeded,
			String description, java.util.Set<String> parameterNames, java.util.Set<Integer> parameterPositions,
			Instantiation instantiation, List<? extends TupleElement<?>> elements, List<String> aliases) {
		this.template = template;
		this.mode = mode;
		this.columns = List.copyOf( columns );
		this.userColumns = userColumns;
		this.shardColumns = shardColumns;
		this.sortKeys = List.copyOf( sortKeys );
		this.shardSortKeys = List.copyOf( shardSortKeys );
		this.streamingOrder = streamingOrder;
		this.distinct = distinct;
		this.adjacentDistinct = adjacentDistinct;
		this.distinctPerShardOnly = distinctPerShardOnly;
		this.pushdown = pushdown;
		this.fetch = fetch;
		this.offset = offset;
		this.stringsNeeded = stringsNeeded;
		this.description = description;
		this.parameterNames = java.util.Set.copyOf( parameterNames );
		this.parameterPositions = java.util.Set.copyOf( parameterPositions );
		this.instantiation = instantiation;
		this.elements = List.copyOf( elements );
		// aliases may be null: no List.copyOf
		this.aliases = java.util.Collections.unmodifiableList( new java.util.ArrayList<>( aliases ) );
	}

	/** Compares merged rows by the ORDER BY. */
	Comparator<Object[]> mergedOrder() {
		return order( false );
	}

	/** Compares shard rows by the ORDER BY (only for {@link #streamingOrder}). */
	Comparator<Object[]> shardOrder() {
		return order( true );
	}

	private Comparator<Object[]> order(boolean shard) {
		SortKey[] keys = ( shard ? shardSortKeys : sortKeys ).toArray( new SortKey[0] );
		return (a, b) -> {
			for ( SortKey k : keys ) {
				int i = shard ? k.shardIndex() : k.column();
				int c = compare( a[i], b[i], k );
				if ( c != 0 ) {
					return c;
				}
			}
			return 0;
		};
	}

	static int compare(Object x, Object y, SortKey k) {
		if ( x == null || y == null ) {
			if ( x == y ) {
				return 0;
			}
			return ( x == null ) == k.nullsFirst() ? -1 : 1;
		}
		int c = k.comparator().compare( x, y );
		return k.descending() ? -c : c;
	}
}
