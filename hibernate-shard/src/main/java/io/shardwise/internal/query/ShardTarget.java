package io.shardwise.internal.query;

import java.util.List;

/**
 * One shard a cross-shard query runs on: the reserved session id that routes to it, and the tenants whose rows may be
 * read there (those placed on it, intersected with the requested ones).
 */
record ShardTarget(String shard, String sessionId, boolean allTenants, List<String> tenants) {
	ShardTarget {
		tenants = List.copyOf( tenants );
	}
}
