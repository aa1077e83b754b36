package io.shardwise.query;

import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The merged rows of a cross-shard query, read while the shards still stream them: memory stays bounded by the
 * query's {@code maxBufferedRows}, however many rows there are. Close it (try-with-resources) to end the shard
 * queries and give their connections back; it closes itself when the last row has been read or a shard fails under
 * {@link PartialResults#FAIL}.
 *
 * <pre>{@code
 * try (ResultStream<Order> orders = queries.allTenants().query("from Order o order by o.placedAt", Order.class).stream()) {
 *     orders.forEachRemaining(this::export);
 * }
 * }</pre>
 *
 * @param <T> the row type
 */
public interface ResultStream<T> extends Iterator<T>, AutoCloseable {
	/**
	 * The rows as a {@link Stream}; closing the stream closes this.
	 */
	Stream<T> stream();

	/** The shards that failed so far (with {@link PartialResults#PARTIAL}); complete once all rows have been read. */
	List<ShardFailure> failures();

	/** Rows read from the shards so far. */
	long rowsFetched();

	/** Cancels the shard queries that are still running and releases their sessions. Idempotent. */
	@Override
	void close();
}
