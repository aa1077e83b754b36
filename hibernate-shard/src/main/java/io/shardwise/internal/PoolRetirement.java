package io.shardwise.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes pools that were replaced or removed once the connections lent out of them come back (or after a grace
 * period), so in-flight transactions finish on the connection they started with.
 */
final class PoolRetirement implements AutoCloseable {
	private static final Logger LOG = LoggerFactory.getLogger( PoolRetirement.class );

	private final ScheduledExecutorService executor;
	private final Duration grace;
	private final java.util.Set<HikariDataSource> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();

	PoolRetirement(Duration grace) {
		this.grace = grace;
		this.executor = Executors.newSingleThreadScheduledExecutor( r -> {
			Thread t = new Thread( r, "shardwise-pool-retirement" );
			t.setDaemon( true );
			return t;
		} );
	}

	void retire(List<HikariDataSource> pools) {
		long deadline = System.nanoTime() + grace.toNanos();
		for ( HikariDataSource ds : pools ) {
			HikariPoolMXBean mx = ds.getHikariPoolMXBean();
			if ( mx != null ) {
				mx.softEvictConnections();
			}
			pending.add( ds );
			check( ds, deadline );
		}
	}

	private void check(HikariDataSource ds, long deadline) {
		HikariPoolMXBean mx = ds.getHikariPoolMXBean();
		if ( mx == null || mx.getActiveConnections() == 0 || System.nanoTime() - deadline >= 0 || executor.isShutdown() ) {
			if ( mx != null && mx.getActiveConnections() > 0 ) {
				LOG.warn( "Closing pool {} with {} connections still in use after {}", ds.getPoolName(), mx.getActiveConnections(), grace );
			}
			ds.close();
			pending.remove( ds );
			return;
		}
		executor.schedule( () -> check( ds, deadline ), 200, TimeUnit.MILLISECONDS );
	}

	@Override
	public void close() {
		executor.shutdownNow();
		pending.forEach( HikariDataSource::close );
		pending.clear();
	}
}
