package io.shardwise.query;

import java.util.Objects;

/**
 * Why one shard did not (fully) answer a cross-shard query.
 */
public final class ShardFailure {
	/** The kind of failure. */
	public enum Kind {
		/** The shard was known to be unavailable (OFFLINE, or its circuit breaker is open): it was not queried at all. */
		UNAVAILABLE,
		/** The shard's part took longer than the per-shard or the overall timeout and was cancelled. */
		TIMEOUT,
		/** The shard's part failed (connection, SQL or mapping error). */
		ERROR,
		/** A tenant of the query cannot be read (its placement is SUSPENDED). */
		TENANT_UNAVAILABLE
	}

	private final String shard;
	private final Kind kind;
	private final String message;
	private final Throwable cause;

	public ShardFailure(String shard, Kind kind, String message, Throwable cause) {
		this.shard = Objects.requireNonNull( shard, "shard" );
		this.kind = Objects.requireNonNull( kind, "kind" );
		this.message = Objects.requireNonNull( message, "message" );
		this.cause = cause;
	}

	/** The shard's name. */
	public String shard() {
		return shard;
	}

	public Kind kind() {
		return kind;
	}

	/** What happened, with live state where known. */
	public String message() {
		return message;
	}

	/** The underlying exception, or {@code null}. */
	public Throwable cause() {
		return cause;
	}

	@Override
	public String toString() {
		return "shard '" + shard + "' " + kind + ": " + message;
	}
}
