package io.shardwise;

/**
 * A tenant id is null, blank, too long or contains control characters. The message names the value, what was expected and how to fix it.
 */
public class MalformedTenantIdException extends ShardwiseException {
	public MalformedTenantIdException(String message) {
		super( message );
	}

	public MalformedTenantIdException(String message, Throwable cause) {
		super( message, cause );
	}
}
