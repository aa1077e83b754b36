package io.shardwise;

/**
 * The shard holding a tenant does not serve sessions (status OFFLINE), or does not accept writes. The message names the value, what was expected and how to fix it.
 */
public class ShardOfflineException extends ShardwiseException {
	public ShardOfflineException(String message) {
		super( message );
	}

	public ShardOfflineException(String message, Throwable cause) {
		super( message, cause );
	}
}
