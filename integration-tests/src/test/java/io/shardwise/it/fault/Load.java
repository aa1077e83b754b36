package io.shardwise.it.fault;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import io.shardwise.Shardwise;

/**
 * Concurrent load for fault tests: {@code threads} threads run {@code work} for tenants taken round-robin from a list
 * until {@link #stop()} (or for a fixed number of iterations each), and count per tenant group what succeeded, what was
 * refused at once ({@link Shardwise#isShardUnavailable}) and what failed otherwise (keeping the first failures).
 */
final class Load implements AutoCloseable {
	private final List<Thread> threads = new ArrayList<>();
	private final AtomicBoolean stopped = new AtomicBoolean();
	final LongAdder ok = new LongAdder();
	final LongAdder refused = new LongAdder();
	final LongAdder failed = new LongAdder();
	final Map<String, LongAdder> okByTenant = new ConcurrentHashMap<>();
	final List<Throwable> failures = new CopyOnWriteArrayList<>();
	final List<Throwable> refusals = new CopyOnWriteArrayList<>();

	private Load() {
	}

	/** Starts {@code threads} threads, each running until stopped, or {@code iterations} times if positive. */
	static Load start(String name, int threads, List<String> tenants, int iterations, Consumer<String> work) {
		Load load = new Load();
		for ( int i = 0; i < threads; i++ ) {
			int offset = i;
			Thread t = new Thread( () -> {
				for ( int n = 0; !load.stopped.get() && ( iterations <= 0 || n < iterations ); n++ ) {
					String tenant = tenants.get( ( offset + n * threads ) % tenants.size() );
					try {
						work.accept( tenant );
						load.ok.increment();
						load.okByTenant.computeIfAbsent( tenant, k -> new LongAdder() ).increment();
					}
					catch (RuntimeException | AssertionError e) {
						if ( Shardwise.isShardUnavailable( e ) ) {
							load.refused.increment();
							if ( load.refusals.size() < 5 ) {
								load.refusals.add( e );
							}
						}
						else {
							load.failed.increment();
							if ( load.failures.size() < 5 ) {
								load.failures.add( e );
							}
						}
					}
				}
			}, name + "-" + i );
			t.setDaemon( true );
			load.threads.add( t );
			t.start();
		}
		return load;
	}

	/** Stops the threads and waits for them (each finishes its current unit of work). */
	void stop() {
		stopped.set( true );
		join();
	}

	void join() {
		for ( Thread t : threads ) {
			try {
				t.join( 60_000 );
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			if ( t.isAlive() ) {
				throw new AssertionError( "load thread " + t.getName() + " did not finish within 60 s" );
			}
		}
	}

	@Override
	public void close() {
		stop();
	}

	@Override
	public String toString() {
		return "ok=" + ok + ", refused=" + refused + ", failed=" + failed + ( failures.isEmpty() ? "" : ", first failures=" + failures );
	}

	/** Whether a failure (or a cause) is a failed connection acquisition, as PoolGuard describes it. */
	static boolean isAcquisitionFailure(Throwable e) {
		for ( Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause() ) {
			if ( t instanceof SQLException && String.valueOf( t.getMessage() ).contains( "no connection after" ) ) {
				return true;
			}
		}
		return false;
	}
}
