package io.shardwise.hazelcast.internal;

import io.shardwise.TopologyException;

/**
 * The catalog refused a compare-and-set that the cache had allowed: another member, or a cluster on the other side
 * of a network split, changed the entry first. The change is not applied anywhere.
 */
public class CatalogConflictException extends TopologyException {
	public CatalogConflictException(String message) {
		super( message );
	}
}
