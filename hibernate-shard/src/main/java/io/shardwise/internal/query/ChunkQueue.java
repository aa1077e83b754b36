package io.shardwise.internal.query;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queue of row chunks bounded by the number of <em>rows</em> it holds. End markers (no rows) always fit, so a
 * finishing shard never waits for room; a chunk always fits into an empty queue.
 */
final class ChunkQueue {
	private final ReentrantLock lock = new ReentrantLock();
	private final Condition notEmpty = lock.newCondition();
	private final Condition notFull = lock.newCondition();
	private final ArrayDeque<FanOut.Chunk> chunks = new ArrayDeque<>();
	private final int capacityRows;
	private int rows;

	ChunkQueue(int capacityRows) {
		this.capacityRows = Math.max( 1, capacityRows );
	}

	/** Adds a chunk, waiting up to {@code nanos} for room; false if there was none. */
	boolean offer(FanOut.Chunk c, long nanos) throws InterruptedException {
		lock.lockInterruptibly();
		try {
			while ( c.size() > 0 && rows > 0 && rows + c.size() > capacityRows ) {
				if ( nanos <= 0 ) {
					return false;
				}
				nanos = notFull.awaitNanos( nanos );
			}
			chunks.add( c );
			rows += c.size();
			notEmpty.signal();
			return true;
		}
		finally {
			lock.unlock();
		}
	}

	/** Adds a chunk without waiting (end markers). */
	void add(FanOut.Chunk c) {
		lock.lock();
		try {
			chunks.add( c );
			rows += c.size();
			notEmpty.signal();
		}
		finally {
			lock.unlock();
		}
	}

	/** The next chunk, waiting up to {@code nanos}; null if none arrived. */
	FanOut.Chunk poll(long nanos, TimeUnit unit) throws InterruptedException {
		long n = unit.toNanos( nanos );
		lock.lockInterruptibly();
		try {
			while ( chunks.isEmpty() ) {
				if ( n <= 0 ) {
					return null;
				}
				n = notEmpty.awaitNanos( n );
			}
			FanOut.Chunk c = chunks.poll();
			rows -= c.size();
			notFull.signalAll();
			return c;
		}
		finally {
			lock.unlock();
		}
	}
}
