package io.shardwise;

import io.shardwise.topology.ShardRole;

/**
 * A shard pool cannot serve a session right now: its circuit breaker is open after repeated connection failures or
 * acquisition timeouts (or half-open with its probe calls taken), so the session fails at once instead of waiting for
 * a connection that will not come. The message names the shard, the role, the breaker state and the last cause; the
 * last cause is also this exception's {@linkplain #getCause() cause}.
 * <p>
 * Nothing was sent to the database: the work may be retried later, or deferred with
 * {@link Shardwise#deferred()} if it is idempotent and not urgent.
 */
public class ShardUnavailableException extends ShardwiseException {
	private final String shard;
	private final ShardRole role;
	private final String breakerState;

	public ShardUnavailableException(String shard, ShardRole role, String breakerState, String message, Throwable lastCause) {
		super( message, lastCause );
		this.shard = shard;
		this.role = role;
		this.breakerState = breakerState;
	}

	/** The shard that is unavailable. */
	public String shard() {
		return shard;
	}

	/** The role (pool) that is unavailable: WRITE (primary), READ (replicas) or ANALYTICS. */
	public ShardRole role() {
		return role;
	}

	/** The circuit breaker state when the session was refused: OPEN, HALF_OPEN or FORCED_OPEN. */
	public String breakerState() {
		return breakerState;
	}
}
