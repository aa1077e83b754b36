package io.shardwise.query;

/**
 * What a cross-shard query does when a shard cannot answer (unavailable, timed out, failed).
 */
public enum PartialResults {
	/** Raise {@link ShardQueryFailedException} naming every failed shard and why; cancel the other shards. The default. */
	FAIL,
	/**
	 * Return the results of the shards that answered together with {@link ShardFailure}s for the others. Rows a shard
	 * delivered before failing mid-stream may be among the results; its failure says its share is incomplete.
	 */
	PARTIAL
}
