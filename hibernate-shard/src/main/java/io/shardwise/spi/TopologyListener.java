package io.shardwise.spi;

/**
 * Receives topology changes. Called on the thread that made the change or on a store thread; must not block.
 */
@FunctionalInterface
public interface TopologyListener {
	void onChange(TopologyChange change);
}
