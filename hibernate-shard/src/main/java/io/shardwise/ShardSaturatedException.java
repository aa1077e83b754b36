package io.shardwise;

/**
 * Too many threads are already waiting for connections of one shard: its bulkhead
 * ({@link ShardwiseSettings#BULKHEAD_MAX_CONCURRENT_ACQUISITIONS}) is full, so this session fails at once rather than
 * tying up one more request thread on a slow shard. The message names the shard and the limit. Nothing was sent to the
 * database.
 */
public class ShardSaturatedException extends ShardwiseException {
	private final String shard;
	private final int limit;

	public ShardSaturatedException(String shard, int limit, String message) {
		super( message );
		this.shard = shard;
		this.limit = limit;
	}

	/** The saturated shard. */
	public String shard() {
		return shard;
	}

	/** The configured maximum of concurrent connection acquisitions on that shard. */
	public int limit() {
		return limit;
	}
}
