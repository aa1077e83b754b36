package io.shardwise.spi;

import java.util.function.LongSupplier;

import com.zaxxer.hikari.HikariConfig;

import io.shardwise.topology.ShardRole;

/**
 * Receives Shardwise's metrics. The default methods do nothing; {@code io.shardwise.metrics.MicrometerShardMetricsTracker}
 * binds them to Micrometer. Methods called on the routing hot path are marked; they must not block or allocate.
 */
public interface ShardMetricsTracker extends AutoCloseable {

	/** A tracker that records nothing. */
	ShardMetricsTracker NOOP = new ShardMetricsTracker() {
	};

	/** Called once at start: counters of the routing cache, read when metrics are collected. */
	default void bindRoutingCache(LongSupplier requests, LongSupplier hits, LongSupplier size) {
	}

	/** Called before a shard pool starts, to attach pool metrics (e.g. HikariCP's metrics tracker factory). */
	default void configurePool(String shard, ShardRole role, HikariConfig config) {
	}

	/** A counter for connections handed out by one shard role; its {@link Counter#increment()} is on the hot path. */
	default Counter routedConnections(String shard, ShardRole role) {
		return Counter.NOOP;
	}

	/** Counts a routing failure (off the hot path: failures only). */
	default void routingError(String reason) {
	}

	/**
	 * Called when a shard pool gets its circuit breaker (at start and whenever the pool is re-opened): attach gauges
	 * that read its state and metrics when collected. Nothing is called per connection.
	 */
	default void bindBreaker(String shard, ShardRole role, String pool,
			io.github.resilience4j.circuitbreaker.CircuitBreaker breaker) {
	}

	/** Called when a shard pool is retired (replaced or closed): drop the meters bound for it. */
	default void unbindPool(String pool) {
	}

	/** Counts one health check of a pool (off the hot path: runs on the health-check threads). */
	default void healthCheck(String shard, ShardRole role, String pool, boolean passed) {
	}

	/** Called when a shard leaves the topology: drop its meters. */
	default void shardRemoved(String shard) {
	}

	@Override
	default void close() {
	}

	/** A monotonically increasing count. */
	@FunctionalInterface
	interface Counter {
		Counter NOOP = () -> {
		};

		void increment();
	}
}
