package io.shardwise;

import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardRole;

/**
 * Something happened to a shard or one of its pools, as reported to {@link ShardEventListener}s registered with
 * {@link Shardwise#addEventListener}.
 */
public sealed interface ShardEvent {

	/** The shard the event is about. */
	String shard();

	/** A shard joined the topology: its pools were opened on this member. */
	record ShardAdded(String shard, Shard after) implements ShardEvent {
	}

	/**
	 * A new version of a shard was applied on this member. {@code poolsReplaced} tells whether its pools were
	 * re-opened (endpoint, credential or pool-setting change, or a change from or to OFFLINE); the old pools retire
	 * once the connections lent out of them come back.
	 */
	record ShardUpdated(String shard, Shard before, Shard after, boolean poolsReplaced) implements ShardEvent {
	}

	/** A shard left the topology: its pools close once in-flight work ends. */
	record ShardRemoved(String shard, Shard before) implements ShardEvent {
	}

	/**
	 * The circuit breaker of one shard pool changed state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}).
	 *
	 * @param pool the pool name, {@code shardwise-<shard>-<role>[-<n>]}
	 * @param lastCause the last acquisition or health-check failure of that pool, or {@code null}
	 */
	record BreakerStateChanged(String shard, ShardRole role, String pool, String from, String to, Throwable lastCause)
			implements ShardEvent {
	}
}
