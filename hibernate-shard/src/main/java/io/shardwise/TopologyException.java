package io.shardwise;

/**
 * The topology (a file, the catalog) is malformed, unreadable, or a change to it conflicts. The message names the value, what was expected and how to fix it.
 */
public class TopologyException extends ShardwiseException {
	public TopologyException(String message) {
		super( message );
	}

	public TopologyException(String message, Throwable cause) {
		super( message, cause );
	}
}
