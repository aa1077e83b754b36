package io.shardwise.query;

/**
 * A query whose per-shard results cannot be merged into the answer a single database would give (an aggregate the
 * merger does not support, ORDER BY on a value it cannot compare as the database does, a subquery that would see one
 * shard only, ...). Raised before any shard is queried; the message names the construct, why, and what to do.
 */
public class UnmergeableQueryException extends CrossShardQueryException {
	public UnmergeableQueryException(String message) {
		super( message );
	}
}
