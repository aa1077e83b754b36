package io.shardwise.hazelcast.internal;

/** A value of the topology maps: every change is a compare-and-set on its version. */
public interface Versioned {
	long version();
}
