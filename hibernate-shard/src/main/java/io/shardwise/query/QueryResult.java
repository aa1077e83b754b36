package io.shardwise.query;

import java.util.List;
import java.util.Map;

/**
 * The merged result of a cross-shard query: its rows, the shards that failed (only with {@link PartialResults#PARTIAL};
 * empty when every shard answered) and how many rows were read from each shard.
 *
 * @param <T> the row type
 */
public final class QueryResult<T> {
	private final List<T> rows;
	private final List<ShardFailure> failures;
	private final Map<String, Long> rowsFetchedByShard;

	/** Created by Shardwise. */
	public QueryResult(List<T> rows, List<ShardFailure> failures, Map<String, Long> rowsFetchedByShard) {
		this.rows = java.util.Collections.unmodifiableList( new java.util.ArrayList<>( rows ) );
		this.failures = List.copyOf( failures );
		this.rowsFetchedByShard = java.util.Collections.unmodifiableMap( new java.util.LinkedHashMap<>( rowsFetchedByShard ) );
	}

	/** The merged rows (entities are detached: their sessions are closed). May contain nulls (NULL values). */
	public List<T> rows() {
		return rows;
	}

	/** The shards that did not (fully) answer; empty if every shard did. */
	public List<ShardFailure> failures() {
		return failures;
	}

	/** Whether every shard answered. */
	public boolean isComplete() {
		return failures.isEmpty();
	}

	/** Rows read from each queried shard (before merging, offset and limit), by shard name. */
	public Map<String, Long> rowsFetchedByShard() {
		return rowsFetchedByShard;
	}

	/** Rows read from all shards together. */
	public long rowsFetched() {
		return rowsFetchedByShard.values().stream().mapToLong( Long::longValue ).sum();
	}

	@Override
	public String toString() {
		return "QueryResult[" + rows.size() + " rows, " + rowsFetched() + " read from " + rowsFetchedByShard.size()
				+ " shards" + ( failures.isEmpty() ? "" : ", failed: " + failures ) + "]";
	}
}
