package io.shardwise.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.shardwise.topology.Credentials;
import io.shardwise.topology.Endpoint;
import io.shardwise.topology.PoolSettings;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;

/**
 * Shards and helpers shared by the store tests.
 */
final class StoreFixtures {
	/** A literal password that must never show up in a message, a log line or a toString. */
	static final String LITERAL_PASSWORD = "hunter2-literal-pw";

	private StoreFixtures() {
	}

	/** A simple shard with a literal password. */
	static Shard shard(String name) {
		return Shard.builder( name )
				.write( "jdbc:postgresql://" + name + "/app" )
				.credentials( "app", LITERAL_PASSWORD )
				.build();
	}

	/** A shard that uses every field: reads, analytics, endpoint credentials, references, pool settings. */
	static Shard fullShard(String name) {
		return Shard.builder( name )
				.status( ShardStatus.DRAINING )
				.capacityWeight( 3 )
				.credentials( Credentials.of( "app", "${SW_TEST_" + name.toUpperCase().replace( '-', '_' ) + "_PASSWORD}" ) )
				.write( "jdbc:postgresql://" + name + "-primary/app?ssl=true" )
				.addRead( "jdbc:postgresql://" + name + "-replica-a/app" )
				.addRead( Endpoint.of( "jdbc:postgresql://" + name + "-replica-b/app", Credentials.of( "reader", LITERAL_PASSWORD ) ) )
				.analytics( Endpoint.of( "jdbc:postgresql://" + name + "-olap/app", Credentials.of( "olap", "${SW_TEST_OLAP:x}" ) ) )
				.pool( PoolSettings.builder()
						.maximumPoolSize( 20 )
						.minimumIdle( 2 )
						.maxLifetime( Duration.ofMinutes( 30 ) )
						.connectionTimeout( Duration.ofSeconds( 5 ) )
						.idleTimeout( Duration.ofMinutes( 10 ) )
						.build() )
				.build();
	}

	/**
	 * Runs {@code task} on {@code threads} threads released at the same moment; returns the results in thread order.
	 * The generous bound on waiting only keeps a deadlock from hanging the build; it asserts nothing about speed.
	 */
	static <T> List<T> race(int threads, TaskFactory<T> tasks) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool( threads );
		try {
			CountDownLatch ready = new CountDownLatch( threads );
			CountDownLatch go = new CountDownLatch( 1 );
			List<Future<T>> futures = new ArrayList<>();
			for ( int i = 0; i < threads; i++ ) {
				Callable<T> task = tasks.task( i );
				futures.add( executor.submit( () -> {
					ready.countDown();
					go.await();
					return task.call();
				} ) );
			}
			ready.await();
			go.countDown();
			List<T> results = new ArrayList<>();
			for ( Future<T> future : futures ) {
				results.add( future.get( 5, TimeUnit.MINUTES ) );
			}
			return results;
		}
		finally {
			executor.shutdownNow();
		}
	}

	@FunctionalInterface
	interface TaskFactory<T> {
		Callable<T> task(int index);
	}
}
