package io.shardwise.query;

import java.util.List;
import java.util.Optional;

/**
 * One page of a cross-shard query paged by keyset (see {@link CrossShardQuery#page(Keyset, int)}).
 *
 * @param <T> the row type
 */
public final class KeysetPage<T> {
	private final List<T> rows;
	private final Keyset next;
	private final List<ShardFailure> failures;
	private final long rowsFetched;

	/** Created by Shardwise. */
	public KeysetPage(List<T> rows, Keyset next, List<ShardFailure> failures, long rowsFetched) {
		this.rows = java.util.Collections.unmodifiableList( new java.util.ArrayList<>( rows ) );
		this.next = next;
		this.failures = List.copyOf( failures );
		this.rowsFetched = rowsFetched;
	}

	public List<T> rows() {
		return rows;
	}

	/** Where the next page starts, if there are more rows. */
	public Optional<Keyset> next() {
		return Optional.ofNullable( next );
	}

	public boolean hasNext() {
		return next != null;
	}

	/**
	 * Shards that failed (with {@link PartialResults#PARTIAL}): their rows are missing from this page, and paging on
	 * from {@link #next()} skips them for good.
	 */
	public List<ShardFailure> failures() {
		return failures;
	}

	/** Rows read from the shards for this page (at most shards x (page size + 1)). */
	public long rowsFetched() {
		return rowsFetched;
	}
}
