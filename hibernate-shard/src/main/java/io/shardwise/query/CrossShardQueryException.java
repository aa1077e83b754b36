package io.shardwise.query;

import io.shardwise.ShardwiseException;

/**
 * Base of the exceptions of cross-shard queries.
 */
public class CrossShardQueryException extends ShardwiseException {
	public CrossShardQueryException(String message) {
		super( message );
	}

	public CrossShardQueryException(String message, Throwable cause) {
		super( message, cause );
	}
}
