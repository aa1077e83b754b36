package io.shardwise.topology;

/**
 * What a shard endpoint (and the connection pool in front of it) is used for.
 */
public enum ShardRole {
	/** The primary: every read-write session. */
	WRITE,
	/** A read replica: read-only sessions ({@code SessionBuilder.readOnly(true)}). */
	READ,
	/** An analytics replica: cross-shard reporting queries. */
	ANALYTICS
}
