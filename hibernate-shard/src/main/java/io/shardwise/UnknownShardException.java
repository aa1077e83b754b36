package io.shardwise;

/**
 * A name was used that is not a shard of the topology. The message names the value, what was expected and how to fix it.
 */
public class UnknownShardException extends ShardwiseException {
	public UnknownShardException(String message) {
		super( message );
	}

	public UnknownShardException(String message, Throwable cause) {
		super( message, cause );
	}
}
