package io.shardwise.internal.query;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import io.shardwise.query.ResultStream;
import io.shardwise.query.ShardFailure;

/**
 * A {@link ResultStream} over a running {@link QueryEngine.Execution}: pulls merged rows on demand and closes the
 * shard queries when the last row is read, on a failure, or on {@link #close()}.
 */
final class MergedStream<T> implements ResultStream<T> {
	private final QueryEngine.Execution<T> execution;
	private Object[] next;
	private boolean ended;

	MergedStream(QueryEngine.Execution<T> execution) {
		this.execution = execution;
	}

	@Override
	public boolean hasNext() {
		if ( next != null ) {
			return true;
		}
		if ( ended ) {
			return false;
		}
		try {
			next = execution.rows.next();
		}
		catch (RuntimeException e) {
			close();
			throw e;
		}
		if ( next == null ) {
			close();
			return false;
		}
		return true;
	}

	@Override
	public T next() {
		if ( !hasNext() ) {
			throw new NoSuchElementException( "no more rows in the cross-shard result" );
		}
		Object[] row = next;
		next = null;
		return execution.project( row );
	}

	@Override
	public Stream<T> stream() {
		return StreamSupport.stream( Spliterators.spliteratorUnknownSize( this, Spliterator.ORDERED ), false )
				.onClose( this::close );
	}

	@Override
	public List<ShardFailure> failures() {
		return execution.fanOut.failures();
	}

	@Override
	public long rowsFetched() {
		return execution.fanOut.rowsFetched();
	}

	@Override
	public void close() {
		ended = true;
		next = null;
		execution.close();
	}
}
