package io.shardwise;

/**
 * Hears of shard changes and circuit-breaker transitions on this member. Called synchronously on the thread that
 * caused the event (a topology listener, a health check, or a request thread whose connection attempt tripped a
 * breaker): keep it short and non-blocking. An exception it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface ShardEventListener {

	void onEvent(ShardEvent event);
}
