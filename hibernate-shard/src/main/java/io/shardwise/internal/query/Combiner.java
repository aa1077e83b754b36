package io.shardwise.internal.query;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

import io.shardwise.internal.query.MergePlan.Column;
import io.shardwise.query.CrossShardQueryException;

/**
 * Combines the shard rows of one group (or of an aggregate query without GROUP BY) into the merged row: keys taken
 * as they are, COUNTs and SUMs added, MIN/MAX compared as the database compares, AVG divided from the summed SUM and
 * COUNT as the database divides. SQL aggregates skip NULLs; a SUM, MIN, MAX or AVG over no values is NULL.
 */
final class Combiner {
	private final Column[] columns;
	private final DatabaseSemantics semantics;

	Combiner(List<Column> columns, DatabaseSemantics semantics) {
		this.columns = columns.toArray( new Column[0] );
		this.semantics = semantics;
	}

	/** A new, empty accumulator: one slot per merged column, plus the AVG counts. */
	Object[] start() {
		Object[] state = new Object[columns.length * 2];
		for ( int i = 0; i < columns.length; i++ ) {
			if ( columns[i].aggregate() == MergePlan.Aggregate.COUNT ) {
				state[i] = 0L;
			}
			if ( columns[i].aggregate() == MergePlan.Aggregate.AVG ) {
				state[columns.length + i] = 0L;
			}
		}
		return state;
	}

	/** Adds one shard row to the accumulator. */
	void add(Object[] state, Object[] shardRow, boolean first) {
		for ( int i = 0; i < columns.length; i++ ) {
			Column c = columns[i];
			Object v = shardRow[c.shardIndex()];
			if ( c.aggregate() == null ) {
				if ( first ) {
					state[i] = v;
				}
				continue;
			}
			switch ( c.aggregate() ) {
				case COUNT -> state[i] = (Long) state[i] + ( v == null ? 0L : ( (Number) v ).longValue() );
				case SUM -> state[i] = add( (Number) state[i], (Number) v, c.text() );
				case MIN -> state[i] = v == null ? state[i] : state[i] == null || c.comparator().compare( v, state[i] ) < 0 ? v : state[i];
				case MAX -> state[i] = v == null ? state[i] : state[i] == null || c.comparator().compare( v, state[i] ) > 0 ? v : state[i];
				case AVG -> {
					state[i] = add( (Number) state[i], (Number) v, c.text() );
					Object n = shardRow[c.countIndex()];
					state[columns.length + i] = (Long) state[columns.length + i] + ( n == null ? 0L : ( (Number) n ).longValue() );
				}
			}
		}
	}

	/** The merged row of an accumulator. */
	Object[] finish(Object[] state) {
		Object[] row = new Object[columns.length];
		for ( int i = 0; i < columns.length; i++ ) {
			row[i] = columns[i].aggregate() == MergePlan.Aggregate.AVG
					? semantics.average( (Number) state[i], (Long) state[columns.length + i] )
					: state[i];
		}
		return row;
	}

	static Number add(Number a, Number b, String what) {
		if ( b == null ) {
			return a;
		}
		if ( a == null ) {
			return b;
		}
		if ( a instanceof BigDecimal || b instanceof BigDecimal ) {
			return ValueKind.toBigDecimal( a ).add( ValueKind.toBigDecimal( b ) );
		}
		if ( ValueKind.isFloating( a ) || ValueKind.isFloating( b ) ) {
			return a.doubleValue() + b.doubleValue();
		}
		if ( a instanceof BigInteger || b instanceof BigInteger ) {
			return toBigInteger( a ).add( toBigInteger( b ) );
		}
		try {
			return Math.addExact( a.longValue(), b.longValue() );
		}
		catch (ArithmeticException e) {
			throw new CrossShardQueryException( "the merged " + what + " overflows a long (" + a + " + " + b
					+ "): cast the argument to BigDecimal (sum(cast(x as BigDecimal))) to sum it exactly" );
		}
	}

	private static BigInteger toBigInteger(Number n) {
		return n instanceof BigInteger i ? i : BigInteger.valueOf( n.longValue() );
	}
}
