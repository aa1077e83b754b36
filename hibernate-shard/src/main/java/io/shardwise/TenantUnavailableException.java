package io.shardwise;

/**
 * A tenant's placement is SUSPENDED. The message names the value, what was expected and how to fix it.
 */
public class TenantUnavailableException extends ShardwiseException {
	public TenantUnavailableException(String message) {
		super( message );
	}

	public TenantUnavailableException(String message, Throwable cause) {
		super( message, cause );
	}
}
