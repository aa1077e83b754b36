package io.shardwise.spi;

import java.util.Map;

/**
 * Creates a {@link TopologyStore} from persistence-unit settings. Implementations register in
 * {@code META-INF/services/io.shardwise.spi.TopologyStoreProvider} and are chosen by their {@link #name() short name}
 * in {@code shardwise.topology.store}.
 */
public interface TopologyStoreProvider {

	/** The short name used in {@code shardwise.topology.store}, e.g. {@code file}, {@code jdbc}, {@code hazelcast}. */
	String name();

	/**
	 * Creates the store.
	 *
	 * @param settings every persistence-unit setting (values may be strings or objects handed in by code)
	 * @throws io.shardwise.ShardwiseConfigurationException when a setting it needs is missing or invalid
	 */
	TopologyStore create(Map<String, Object> settings);
}
