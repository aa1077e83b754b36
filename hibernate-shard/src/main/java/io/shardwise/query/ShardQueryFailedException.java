package io.shardwise.query;

import java.util.List;

/**
 * One or more shards did not answer a cross-shard query run with {@link PartialResults#FAIL} (the default), or the
 * overall timeout passed. The message names every failed shard and why; the other shards' work has been cancelled.
 */
public class ShardQueryFailedException extends CrossShardQueryException {
	private final List<ShardFailure> failures;

	public ShardQueryFailedException(String message, List<ShardFailure> failures) {
		super( message, failures.isEmpty() ? null : failures.get( 0 ).cause() );
		this.failures = List.copyOf( failures );
	}

	/** The failed shards, in the order the failures were noticed. */
	public List<ShardFailure> failures() {
		return failures;
	}
}
