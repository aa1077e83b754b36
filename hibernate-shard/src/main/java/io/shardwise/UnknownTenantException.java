package io.shardwise;

/**
 * A tenant has no placement in the topology and auto-provisioning is off. The message names the value, what was expected and how to fix it.
 */
public class UnknownTenantException extends ShardwiseException {
	public UnknownTenantException(String message) {
		super( message );
	}

	public UnknownTenantException(String message, Throwable cause) {
		super( message, cause );
	}
}
