package io.shardwise.internal.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

import io.shardwise.internal.query.FanOut.Chunk;
import io.shardwise.query.CrossShardQueryException;

/**
 * The merge operators: pull-based row sources ({@link #next()} returns {@code null} at the end) stacked on a
 * {@link FanOut}. Rows are {@code Object[]}; shard rows and merged rows are the same in a row query.
 */
abstract class Rows {
	/** The next row, or {@code null} when there are no more. */
	abstract Object[] next();

	// ---------------------------------------------------------------- sources

	/** Every shard's rows in the order they arrive (concatenation). */
	static final class Concat extends Rows {
		private final FanOut fanOut;
		private Chunk chunk;
		private int i;

		Concat(FanOut fanOut) {
			this.fanOut = fanOut;
		}

		@Override
		Object[] next() {
			while ( chunk == null || i >= chunk.size() ) {
				chunk = fanOut.nextAny();
				i = 0;
				if ( chunk == null ) {
					return null;
				}
			}
			return (Object[]) chunk.rows()[i++];
		}
	}

	/**
	 * The k-way merge: every shard's rows arrive sorted by the ORDER BY; the next row is the smallest head, found in a
	 * heap of one entry per shard. Equal rows keep shard order. Holds one chunk per shard.
	 */
	static final class Merge extends Rows {
		private final FanOut fanOut;
		private final Cursor[] cursors;
		private final PriorityQueue<Cursor> heap;
		private boolean started;

		Merge(FanOut fanOut, Comparator<Object[]> order) {
			this.fanOut = fanOut;
			this.cursors = new Cursor[fanOut.shardCount()];
			Comparator<Cursor> byHead = (a, b) -> {
				int c = order.compare( a.head, b.head );
				return c != 0 ? c : Integer.compare( a.shard, b.shard );
			};
			this.heap = new PriorityQueue<>( Math.max( 1, cursors.length ), byHead );
		}

		@Override
		Object[] next() {
			if ( !started ) {
				started = true;
				for ( int s = 0; s < cursors.length; s++ ) {
					cursors[s] = new Cursor( s );
					if ( cursors[s].advance() ) {
						heap.add( cursors[s] );
					}
				}
			}
			Cursor top = heap.poll();
			if ( top == null ) {
				return null;
			}
			Object[] row = top.head;
			if ( top.advance() ) {
				heap.add( top );
			}
			return row;
		}

		private final class Cursor {
			final int shard;
			Chunk chunk;
			int i;
			Object[] head;

			Cursor(int shard) {
				this.shard = shard;
			}

			boolean advance() {
				while ( chunk == null || i >= chunk.size() ) {
					if ( chunk != null && chunk.end() ) {
						head = null;
						return false;
					}
					chunk = fanOut.next( shard );
					i = 0;
				}
				head = (Object[]) chunk.rows()[i++];
				return true;
			}
		}
	}

	// ---------------------------------------------------------------- aggregation

	/** Aggregates without GROUP BY: every shard row combined into exactly one row. */
	static final class Aggregate extends Rows {
		private final Rows source;
		private final Combiner combiner;
		private boolean done;

		Aggregate(Rows source, Combiner combiner) {
			this.source = source;
			this.combiner = combiner;
		}

		@Override
		Object[] next() {
			if ( done ) {
				return null;
			}
			done = true;
			Object[] state = combiner.start();
			boolean first = true;
			for ( Object[] r = source.next(); r != null; r = source.next() ) {
				combiner.add( state, r, first );
				first = false;
			}
			return combiner.finish( state );
		}
	}

	/** GROUP BY merged in memory: groups by key, at most {@code maxGroups}; then sorted if there is an ORDER BY. */
	static final class HashGroups extends Rows {
		private final Rows source;
		private final Combiner combiner;
		private final int[] keyIndexes;
		private final Comparator<Object[]> order;
		private final int maxGroups;
		private Iterator<Object[]> result;

		HashGroups(Rows source, Combiner combiner, int[] keyIndexes, Comparator<Object[]> order, int maxGroups) {
			this.source = source;
			this.combiner = combiner;
			this.keyIndexes = keyIndexes;
			this.order = order;
			this.maxGroups = maxGroups;
		}

		@Override
		Object[] next() {
			if ( result == null ) {
				Map<Key, Object[]> groups = new HashMap<>();
				for ( Object[] r = source.next(); r != null; r = source.next() ) {
					Key k = Key.of( r, keyIndexes );
					Object[] state = groups.get( k );
					boolean first = state == null;
					if ( first ) {
						if ( groups.size() >= maxGroups ) {
							throw tooMany( "GROUP BY produced more than " + maxGroups + " groups",
									"order by the GROUP BY keys (then groups merge as they stream)" );
						}
						state = combiner.start();
						groups.put( k, state );
					}
					combiner.add( state, r, first );
				}
				List<Object[]> rows = new ArrayList<>( groups.size() );
				for ( Object[] state : groups.values() ) {
					rows.add( combiner.finish( state ) );
				}
				if ( order != null ) {
					rows.sort( order );
				}
				result = rows.iterator();
			}
			return result.hasNext() ? result.next() : null;
		}
	}

	/** GROUP BY merged as it streams: the shards' groups arrive in key order, equal keys are adjacent. */
	static final class StreamingGroups extends Rows {
		private final Rows source;
		private final Combiner combiner;
		private final int[] keyIndexes;
		private Object[] pending;

		StreamingGroups(Rows source, Combiner combiner, int[] keyIndexes) {
			this.source = source;
			this.combiner = combiner;
			this.keyIndexes = keyIndexes;
		}

		@Override
		Object[] next() {
			Object[] first = pending != null ? pending : source.next();
			pending = null;
			if ( first == null ) {
				return null;
			}
			Key key = Key.of( first, keyIndexes );
			Object[] state = combiner.start();
			combiner.add( state, first, true );
			for ( Object[] r = source.next(); r != null; r = source.next() ) {
				if ( !key.equals( Key.of( r, keyIndexes ) ) ) {
					pending = r;
					break;
				}
				combiner.add( state, r, false );
			}
			return combiner.finish( state );
		}
	}

	// ---------------------------------------------------------------- distinct, slicing

	/** DISTINCT over the first {@code width} columns: by adjacent duplicates, or by a bounded set of seen rows. */
	static final class Distinct extends Rows {
		private final Rows source;
		private final int[] indexes;
		private final boolean adjacent;
		private final int maxRows;
		private final Set<Key> seen = new HashSet<>();
		private Key last;

		Distinct(Rows source, int width, boolean adjacent, int maxRows) {
			this.source = source;
			this.indexes = new int[width];
			for ( int i = 0; i < width; i++ ) {
				indexes[i] = i;
			}
			this.adjacent = adjacent;
			this.maxRows = maxRows;
		}

		@Override
		Object[] next() {
			for ( Object[] r = source.next(); r != null; r = source.next() ) {
				Key k = Key.of( r, indexes );
				if ( adjacent ) {
					if ( !k.equals( last ) ) {
						last = k;
						return r;
					}
				}
				else if ( seen.add( k ) ) {
					if ( seen.size() > maxRows ) {
						throw tooMany( "SELECT DISTINCT produced more than " + maxRows + " distinct rows",
								"order by every selected column (then duplicates are removed as rows stream), or add a limit" );
					}
					return r;
				}
			}
			return null;
		}
	}

	/** OFFSET and LIMIT over the merged rows. */
	static final class Slice extends Rows {
		private final Rows source;
		private long skip;
		private long remaining;

		Slice(Rows source, long offset, long limit) {
			this.source = source;
			this.skip = offset;
			this.remaining = limit < 0 ? Long.MAX_VALUE : limit;
		}

		@Override
		Object[] next() {
			while ( skip > 0 ) {
				if ( source.next() == null ) {
					return null;
				}
				skip--;
			}
			if ( remaining <= 0 ) {
				return null;
			}
			Object[] r = source.next();
			if ( r != null ) {
				remaining--;
			}
			return r;
		}

		boolean exhaustedByLimit() {
			return remaining <= 0;
		}
	}

	private static CrossShardQueryException tooMany(String what, String instead) {
		return new CrossShardQueryException( "cross-shard query exceeded its memory bound: " + what + " (maxBufferedRows / "
				+ io.shardwise.ShardwiseSettings.QUERY_MAX_BUFFERED_ROWS + "); raise the bound, narrow the query, or " + instead );
	}

	/** A row's values at some indexes, with the database's notion of equality (see {@link ValueKind#normalize}). */
	static final class Key {
		private final Object[] values;
		private final int hash;

		private Key(Object[] values) {
			this.values = values;
			this.hash = Arrays.hashCode( values );
		}

		static Key of(Object[] row, int[] indexes) {
			Object[] v = new Object[indexes.length];
			for ( int i = 0; i < indexes.length; i++ ) {
				v[i] = ValueKind.normalize( row[indexes[i]] );
			}
			return new Key( v );
		}

		@Override
		public boolean equals(Object o) {
			return o instanceof Key k && hash == k.hash && Arrays.equals( values, k.values );
		}

		@Override
		public int hashCode() {
			return hash;
		}
	}
}
