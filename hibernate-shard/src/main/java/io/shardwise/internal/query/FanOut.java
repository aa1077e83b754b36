package io.shardwise.internal.query;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.hibernate.engine.spi.SharedSessionContractImplementor;

import io.shardwise.query.CrossShardQueryException;
import io.shardwise.query.PartialResults;
import io.shardwise.query.ShardFailure;
import io.shardwise.query.ShardQueryFailedException;
import io.shardwise.query.UnmergeableQueryException;

/**
 * Runs one cross-shard query's part on every target shard in parallel, bounded: at most
 * {@code maxConcurrentShards} at once on the engine's executor (all threads it needs are reserved before it starts),
 * rows handed over in chunks through bounded queues (a shard whose queue is full waits: back-pressure), a per-shard
 * timeout on the time a shard spends working, and an overall deadline. On the first failure under
 * {@link PartialResults#FAIL} every other shard's statement is cancelled.
 * <p>
 * Consumed either in ORDER BY order ({@link #next(int)} per shard, for a k-way merge) or as rows come
 * ({@link #nextAny()}). Not thread-safe on the consumer side: one consumer thread.
 */
final class FanOut implements AutoCloseable {
	private static final Object[] NO_ROWS = new Object[0];
	private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos( 20 );

	/** The work of one shard: open its session, run, {@link Task#emit} every row. */
	interface ShardWork {
		void run(ShardTarget target, Task task) throws Exception;
	}

	/** Rows of one shard, or its end (with its failure, if it failed). */
	record Chunk(int shard, Object[] rows, int size, boolean end, ShardFailure failure) {
	}

	private final QueryEngine engine;
	private final List<ShardTarget> targets;
	private final ShardWork work;
	private final FanOutOptions options;
	private final boolean ordered;
	private final Task[] tasks;
	private final ChunkQueue shared;
	private final ArrayDeque<Task> pending = new ArrayDeque<>();
	private final List<ShardFailure> failures = new CopyOnWriteArrayList<>();
	private final long startNanos;
	private final int chunkSize;
	private volatile RuntimeException abort;
	private volatile boolean closed;
	private int ended;
	private volatile ScheduledFuture<?> watchdog;

	FanOut(QueryEngine engine, List<ShardTarget> targets, ShardWork work, FanOutOptions options, boolean ordered,
			List<ShardFailure> failedBeforeStart) {
		this.engine = engine;
		this.targets = List.copyOf( targets );
		this.work = work;
		this.options = options;
		this.ordered = ordered;
		this.failures.addAll( failedBeforeStart );
		this.startNanos = engine.nanoTime();
		int n = Math.max( 1, targets.size() );
		this.chunkSize = chunkSize( options, n );
		this.tasks = new Task[targets.size()];
		if ( ordered ) {
			// per shard: its queue, the chunk its producer is filling and the chunk being merged fit its share
			int perShard = options.maxBufferedRows() / n - 2 * chunkSize;
			this.shared = null;
			for ( int i = 0; i < tasks.length; i++ ) {
				tasks[i] = new Task( i, targets.get( i ), new ChunkQueue( perShard ) );
			}
		}
		else {
			// the shared queue, every producer's chunk and the chunk being merged fit the bound
			this.shared = new ChunkQueue( options.maxBufferedRows() - ( n + 1 ) * chunkSize );
			for ( int i = 0; i < tasks.length; i++ ) {
				tasks[i] = new Task( i, targets.get( i ), shared );
			}
		}
	}

	/** Rows per chunk (and JDBC fetch size): a quarter of a shard's share of the buffer, at most the fetch size. */
	static int chunkSize(FanOutOptions options, int shards) {
		return Math.max( 1, Math.min( options.fetchSize(), options.maxBufferedRows() / ( 4 * Math.max( 1, shards ) ) ) );
	}

	/** Rows of one shard that fit in its queue; an ordered merge with fewer threads than shards needs its rows to fit. */
	static int rowsPerShardQueue(FanOutOptions options, int shards) {
		int n = Math.max( 1, shards );
		int chunk = chunkSize( options, n );
		return Math.max( chunk, options.maxBufferedRows() / n - 2 * chunk );
	}

	/** Reserves threads and starts the first {@code maxConcurrentShards} shards. */
	void start() {
		if ( tasks.length == 0 ) {
			return;
		}
		int window = Math.min( options.maxConcurrentShards(), tasks.length );
		long waitNanos = options.timeout().toNanos();
		try {
			if ( !engine.threads().tryAcquire( window, waitNanos, TimeUnit.NANOSECONDS ) ) {
				throw new CrossShardQueryException( "cross-shard query could not start: it needs " + window
						+ " of the " + engine.threadCount() + " cross-shard query threads, but they stayed busy with other "
						+ "cross-shard queries for " + options.timeout() + " (its overall timeout); raise "
						+ io.shardwise.ShardwiseSettings.QUERY_THREADS + " or lower maxConcurrentShards" );
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new CrossShardQueryException( "interrupted while waiting for cross-shard query threads", e );
		}
		synchronized ( this ) {
			for ( Task t : tasks ) {
				pending.add( t );
			}
		}
		long tick = Math.max( 5, Math.min( 100, Math.min( options.shardTimeout().toMillis(), options.timeout().toMillis() ) / 20 ) );
		watchdog = engine.watchdog().scheduleAtFixedRate( this::tick, tick, tick, TimeUnit.MILLISECONDS );
		for ( int i = 0; i < window; i++ ) {
			submitNext();
		}
	}

	private void submitNext() {
		Task next;
		synchronized ( this ) {
			next = closed || abort != null ? null : pending.poll();
			if ( next == null ) {
				engine.threads().release();
				return;
			}
		}
		try {
			next.future = engine.executor().submit( next );
		}
		catch (RejectedExecutionException e) {
			if ( next.fail( ShardFailure.Kind.ERROR, "shard '" + next.target.shard() + "': the cross-shard query executor is "
					+ "shut down (the EntityManagerFactory was closed)", e ) ) {
				afterFailure( e );
			}
			next.finish();
			submitNext();
		}
	}

	// ---------------------------------------------------------------- consumer side

	/** The next chunk of shard {@code shard} (ordered consumption); an end chunk once it is done. */
	Chunk next(int shard) {
		return take( tasks[shard].queue );
	}

	/** The next chunk of any shard (unordered consumption), or {@code null} once every shard has ended. */
	Chunk nextAny() {
		while ( ended < tasks.length ) {
			Chunk c = take( shared );
			if ( c.end() ) {
				ended++;
			}
			return c;
		}
		return null;
	}

	private Chunk take(ChunkQueue queue) {
		while ( true ) {
			RuntimeException a = abort;
			if ( a != null ) {
				throw a;
			}
			try {
				Chunk c = queue.poll( POLL_NANOS, TimeUnit.NANOSECONDS );
				if ( c != null ) {
					if ( c.failure() != null && options.partialResults() == PartialResults.FAIL ) {
						// the shard's end can overtake the abort it causes: fail here too
						RuntimeException failed = abort;
						throw failed != null ? failed : failedException( failures() );
					}
					return c;
				}
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				close();
				throw new CrossShardQueryException( "interrupted while waiting for shard results; the shard queries were cancelled", e );
			}
		}
	}

	/** Failures so far (unavailable shards first), in the order they were noticed. */
	List<ShardFailure> failures() {
		return List.copyOf( failures );
	}

	List<String> shards() {
		return targets.stream().map( ShardTarget::shard ).toList();
	}

	long rowsFetched() {
		long n = 0;
		for ( Task t : tasks ) {
			n += t.rows;
		}
		return n;
	}

	Map<String, Long> rowsFetchedByShard() {
		Map<String, Long> m = new LinkedHashMap<>();
		for ( Task t : tasks ) {
			m.put( t.target.shard(), t.rows );
		}
		return m;
	}

	int shardCount() {
		return tasks.length;
	}

	/** Cancels every unfinished shard query and stops the watchdog. Idempotent. */
	@Override
	public void close() {
		if ( closed ) {
			return;
		}
		closed = true;
		List<Task> notStarted;
		synchronized ( this ) {
			notStarted = new ArrayList<>( pending );
			pending.clear();
		}
		for ( Task t : tasks ) {
			if ( !t.done ) {
				// a shard that finishes on its own in the next moments is not disturbed; the watchdog cancels the
				// statements of those still running at its next tick
				t.cancelQuietly( false );
			}
		}
		for ( Task t : notStarted ) {
			t.done = true;
		}
	}

	// ---------------------------------------------------------------- failures, timeouts

	/** After failures were recorded: a mis-merge aborts always, a shard failure under FAIL aborts. */
	private void afterFailure(Throwable cause) {
		if ( cause instanceof UnmergeableQueryException u ) {
			abort( u );
		}
		else if ( options.partialResults() == PartialResults.FAIL ) {
			abort( failedException( failures() ) );
		}
	}

	private void abort(RuntimeException e) {
		synchronized ( this ) {
			if ( abort != null ) {
				return;
			}
			abort = e;
			pending.clear();
		}
		for ( Task t : tasks ) {
			if ( !t.done ) {
				t.cancelQuietly( true );
			}
		}
	}

	static ShardQueryFailedException failedException(List<ShardFailure> failures) {
		return new ShardQueryFailedException( "cross-shard query failed (partial results: FAIL) on "
				+ failures.stream().map( ShardFailure::shard ).distinct().count() + " shard(s): "
				+ failures.stream().map( ShardFailure::toString ).collect( Collectors.joining( "; " ) )
				+ "; the other shards' queries were cancelled. Use partialResults(PartialResults.PARTIAL) to get the "
				+ "other shards' rows together with the failures", failures );
	}

	private void tick() {
		try {
			boolean unfinished = false;
			for ( Task t : tasks ) {
				if ( !t.done ) {
					unfinished = true;
					if ( t.cancelled ) {
						// a statement prepared just after a cancel would otherwise run on: cancel again until it ends
						t.cancelStatement();
					}
				}
			}
			if ( !unfinished && ( closed || pendingEmpty() ) ) {
				ScheduledFuture<?> w = watchdog;
				if ( w != null ) {
					w.cancel( false );
				}
				return;
			}
			if ( closed || abort != null ) {
				return;
			}
			long now = engine.nanoTime();
			long shardLimit = options.shardTimeout().toNanos();
			boolean overall = now - startNanos - options.timeout().toNanos() >= 0;
			List<Task> waiting = List.of();
			if ( overall ) {
				synchronized ( this ) {
					waiting = new ArrayList<>( pending );
					pending.clear();
				}
			}
			boolean failed = false;
			for ( Task t : tasks ) {
				if ( t.done || t.cancelled ) {
					continue;
				}
				if ( overall && ( t.started || waiting.contains( t ) ) ) {
					failed |= t.fail( ShardFailure.Kind.TIMEOUT, "shard '" + t.target.shard() + "' had not finished when the "
							+ "overall timeout of " + options.timeout() + " passed (" + t.rows + " rows read"
							+ ( t.started ? "" : ", never started: all " + options.maxConcurrentShards() + " slots were busy" )
							+ "); it was cancelled", null );
				}
				else if ( t.started && t.busyNanos( now ) - shardLimit >= 0 ) {
					failed |= t.fail( ShardFailure.Kind.TIMEOUT, "shard '" + t.target.shard() + "' did not finish its part "
							+ "within the per-shard timeout of " + options.shardTimeout() + " (" + t.rows + " rows read); its "
							+ "statement was cancelled", null );
				}
			}
			if ( failed ) {
				afterFailure( null );
			}
			for ( Task t : tasks ) {
				if ( t.failure.get() != null && !t.done ) {
					t.cancelQuietly( true );
					if ( !t.started ) {
						t.finish();
					}
				}
			}
		}
		catch (RuntimeException e) {
			// never let the watchdog die silently: the next tick tries again
			org.slf4j.LoggerFactory.getLogger( FanOut.class ).warn( "cross-shard query watchdog failed", e );
		}
	}

	private synchronized boolean pendingEmpty() {
		return pending.isEmpty();
	}

	// ---------------------------------------------------------------- producer side

	/** One shard's part: runs on an executor thread. */
	final class Task implements Runnable {
		final int index;
		final ShardTarget target;
		final ChunkQueue queue;
		final AtomicReference<ShardFailure> failure = new AtomicReference<>();
		volatile Future<?> future;
		volatile SharedSessionContractImplementor session;
		volatile boolean started;
		volatile boolean done;
		volatile boolean cancelled;
		volatile boolean inQuery;
		volatile long rows;
		private volatile long busySince;
		private volatile long busyTotal;
		private final java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
		private Object[] buffer;
		private int n;

		Task(int index, ShardTarget target, ChunkQueue queue) {
			this.index = index;
			this.target = target;
			this.queue = queue;
		}

		@Override
		public void run() {
			busySince = engine.nanoTime();
			started = true;
			try {
				if ( !cancelled ) {
					buffer = new Object[chunkSize];
					work.run( target, this );
					if ( n > 0 && !cancelled ) {
						flush();
					}
				}
			}
			catch (Throwable e) {
				if ( !cancelled && fail( ShardAvailability.classify( e ), describe( e ), e ) ) {
					afterFailure( e );
				}
				if ( e instanceof VirtualMachineError vme ) {
					throw vme;
				}
			}
			finally {
				session = null;
				finish();
				// reuse this thread's slot for the next shard, or give it back
				submitNext();
			}
		}

		/** Hands one row to the merger; false when the shard should stop (cancelled). Blocks while the buffer is full. */
		boolean emit(Object row) {
			rows++;
			buffer[n++] = row;
			if ( n == chunkSize ) {
				return flush();
			}
			return !cancelled;
		}

		/** The session to cancel statements of (a Hibernate session or stateless session). */
		void register(Object s) {
			session = s instanceof SharedSessionContractImplementor i ? i : null;
		}

		boolean cancelled() {
			return cancelled;
		}

		FanOutOptions options() {
			return options;
		}

		/** The JDBC fetch size to use: one chunk. */
		int fetchSize() {
			return chunkSize;
		}

		private boolean flush() {
			Chunk c = new Chunk( index, buffer, n, false, null );
			buffer = new Object[chunkSize];
			n = 0;
			return offer( c );
		}

		private boolean offer(Chunk c) {
			long since = busySince;
			if ( since != 0 ) {
				busyTotal += engine.nanoTime() - since;
				busySince = 0;
			}
			try {
				while ( !closed && !cancelled ) {
					if ( queue.offer( c, POLL_NANOS ) ) {
						return !cancelled;
					}
				}
				return false;
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return false;
			}
			finally {
				busySince = engine.nanoTime();
			}
		}

		long busyNanos(long now) {
			long since = busySince;
			return busyTotal + ( since == 0 ? 0 : now - since );
		}

		/** Records this shard's failure (the first one wins); true if this call recorded it. */
		boolean fail(ShardFailure.Kind kind, String message, Throwable e) {
			ShardFailure f = new ShardFailure( target.shard(), kind, message, e );
			if ( failure.compareAndSet( null, f ) ) {
				failures.add( f );
				return true;
			}
			return false;
		}

		/**
		 * Stops this shard without it counting as failed (the query was closed or aborted): it stops at its next row,
		 * and its running statement is cancelled now ({@code immediately}) or at the watchdog's next tick. Threads are
		 * never interrupted: an interrupt can break a JDBC driver's connection (H2 closes its database files).
		 */
		void cancelQuietly(boolean immediately) {
			cancelled = true;
			Future<?> f = future;
			if ( f != null ) {
				f.cancel( false );
			}
			if ( immediately ) {
				cancelStatement();
			}
		}

		/** Marks the span in which the shard's statement runs and may be cancelled. */
		void querying(boolean running) {
			inQuery = running;
		}

		void cancelStatement() {
			SharedSessionContractImplementor s = session;
			if ( s != null && inQuery ) {
				try {
					s.getJdbcCoordinator().cancelLastQuery();
				}
				catch (RuntimeException ignored) {
					// the statement may have completed or its connection be gone: nothing left to cancel
				}
			}
		}

		/** Marks the end and queues the end marker (with the failure, if any). Runs once. */
		void finish() {
			if ( !finished.compareAndSet( false, true ) ) {
				return;
			}
			done = true;
			busySince = 0;
			if ( !closed ) {
				queue.add( new Chunk( index, NO_ROWS, 0, true, failure.get() ) );
			}
		}

		private String describe(Throwable e) {
			String own = null;
			String root = null;
			for ( Throwable c = e; c != null; c = c.getCause() ) {
				String m = c.getMessage();
				if ( m != null ) {
					root = m;
					if ( own == null && m.contains( "shard '" + target.shard() + "'" ) ) {
						own = m;
					}
				}
			}
			String m = own != null ? own : root != null ? root : e.getClass().getName();
			return m.contains( "shard '" + target.shard() + "'" ) ? m : "shard '" + target.shard() + "': " + m;
		}
	}
}
