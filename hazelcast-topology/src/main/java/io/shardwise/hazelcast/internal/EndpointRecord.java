package io.shardwise.hazelcast.internal;

/** An endpoint of a {@link ShardRecord}; {@code username} and {@code password} (raw: a reference or a literal) may be null. */
public record EndpointRecord(String url, String username, String password) {
}
