package io.shardwise;

/**
 * A shardwise.* property (or a Hibernate property Shardwise relies on) is missing or invalid. The message names the value, what was expected and how to fix it.
 */
public class ShardwiseConfigurationException extends ShardwiseException {
	public ShardwiseConfigurationException(String message) {
		super( message );
	}

	public ShardwiseConfigurationException(String message, Throwable cause) {
		super( message, cause );
	}
}
