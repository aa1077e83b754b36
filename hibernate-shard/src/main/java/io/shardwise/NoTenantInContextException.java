package io.shardwise;

/**
 * A session was opened with no tenant in context and no default tenant configured. The message names the value, what was expected and how to fix it.
 */
public class NoTenantInContextException extends ShardwiseException {
	public NoTenantInContextException(String message) {
		super( message );
	}

	public NoTenantInContextException(String message, Throwable cause) {
		super( message, cause );
	}
}
