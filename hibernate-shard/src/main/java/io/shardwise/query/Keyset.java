package io.shardwise.query;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Where a keyset page ends: the ORDER BY values of its last row. The next page starts after it, on every shard,
 * without reading or skipping the rows before (unlike an offset). Keep it between requests (its values are plain
 * query values) or rebuild it with {@link #of}.
 */
public final class Keyset implements Serializable {
	private static final long serialVersionUID = 1L;

	private final List<Object> values;

	private Keyset(List<Object> values) {
		this.values = Collections.unmodifiableList( new ArrayList<>( values ) );
	}

	/** A keyset of ORDER BY values, one per ORDER BY item, in order (NULL allowed). */
	public static Keyset of(Object... values) {
		if ( values == null || values.length == 0 ) {
			throw new IllegalArgumentException( "keyset values must be one value per ORDER BY item, but were none" );
		}
		return new Keyset( Arrays.asList( values ) );
	}

	/** The ORDER BY values of the last row of the previous page. */
	public List<Object> values() {
		return values;
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Keyset k && values.equals( k.values );
	}

	@Override
	public int hashCode() {
		return values.hashCode();
	}

	@Override
	public String toString() {
		return "Keyset" + values;
	}
}
