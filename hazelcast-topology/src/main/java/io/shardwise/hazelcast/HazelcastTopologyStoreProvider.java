package io.shardwise.hazelcast;

import java.util.Map;

import io.shardwise.ShardwiseSettings;
import io.shardwise.spi.TopologyStore;
import io.shardwise.spi.TopologyStoreProvider;

/**
 * Provides the {@code hazelcast} store ({@code shardwise.topology.store=hazelcast}): a {@link HazelcastTopologyStore}
 * over the catalog named by {@code shardwise.catalog.*}, on the Hazelcast instance described by
 * {@code shardwise.hazelcast.*} (see {@link ShardwiseSettings}).
 */
public final class HazelcastTopologyStoreProvider implements TopologyStoreProvider {
	/** The short name, for {@link ShardwiseSettings#TOPOLOGY_STORE}. */
	public static final String NAME = "hazelcast";

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public TopologyStore create(Map<String, Object> settings) {
		return HazelcastTopologyStore.create( settings );
	}

	@Override
	public String toString() {
		return "HazelcastTopologyStoreProvider[" + NAME + "]";
	}
}
