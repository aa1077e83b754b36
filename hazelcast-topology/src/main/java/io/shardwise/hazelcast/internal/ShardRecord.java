package io.shardwise.hazelcast.internal;

/**
 * A shard as stored in the shards map (the name is the key). Passwords are kept in their raw form, as the catalog
 * keeps them: a {@code ${NAME}} reference, resolved by each member where it connects, or a literal.
 */
public record ShardRecord(String status, int capacityWeight, long version, String username, String password,
		EndpointRecord write, EndpointRecord[] reads, EndpointRecord analytics, PoolRecord pool) implements Versioned {
}
