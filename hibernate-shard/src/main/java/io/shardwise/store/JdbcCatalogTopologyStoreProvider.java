package io.shardwise.store;

import java.util.Map;

import io.shardwise.ShardwiseSettings;
import io.shardwise.spi.TopologyStore;
import io.shardwise.spi.TopologyStoreProvider;

/**
 * Provides the {@code jdbc} store: a {@link JdbcCatalogTopologyStore} over the catalog database named by the
 * {@code shardwise.catalog.*} settings (see {@link JdbcCatalogTopologyStore#create(Map)}).
 */
public final class JdbcCatalogTopologyStoreProvider implements TopologyStoreProvider {
	/** The short name, for {@link ShardwiseSettings#TOPOLOGY_STORE}. */
	public static final String NAME = "jdbc";

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public TopologyStore create(Map<String, Object> settings) {
		return JdbcCatalogTopologyStore.create( settings );
	}

	@Override
	public String toString() {
		return "JdbcCatalogTopologyStoreProvider[" + NAME + "]";
	}
}
