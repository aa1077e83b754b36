package io.shardwise.hazelcast.internal;

/**
 * A placement as stored in the placements map (the tenant id is the key). Serialized with Hazelcast's compact
 * format (no registration needed).
 */
public record PlacementRecord(String shard, String tier, String status, long version) implements Versioned {
}
