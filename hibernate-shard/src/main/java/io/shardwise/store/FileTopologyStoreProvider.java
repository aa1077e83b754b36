package io.shardwise.store;

import java.util.Map;

import io.shardwise.ShardwiseSettings;
import io.shardwise.internal.Settings;
import io.shardwise.spi.TopologyStore;
import io.shardwise.spi.TopologyStoreProvider;

/**
 * Provides the {@code file} store: a {@link FileTopologyStore} loaded from {@link ShardwiseSettings#TOPOLOGY_FILE}.
 */
public final class FileTopologyStoreProvider implements TopologyStoreProvider {
	/** The short name, for {@link ShardwiseSettings#TOPOLOGY_STORE}. */
	public static final String NAME = "file";

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public TopologyStore create(Map<String, Object> settings) {
		String location = new Settings( settings ).requiredString( ShardwiseSettings.TOPOLOGY_FILE,
				"the file topology store reads shards and tenants from a JSON or YAML file; give its class path "
						+ "resource or file path, e.g. topology.yaml (see FileTopologyStore for the format)" );
		return FileTopologyStore.load( location );
	}

	@Override
	public String toString() {
		return "FileTopologyStoreProvider[" + NAME + "]";
	}
}
