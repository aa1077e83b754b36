package io.shardwise.store;

import io.shardwise.spi.TopologyStore;

/**
 * A file store behaves like the in-memory store once loaded: the contract, from a file without shards.
 */
class FileTopologyStoreContractTest extends AbstractTopologyStoreContractTest {

	@Override
	protected TopologyStore newStore() {
		return FileTopologyStore.load( "topologies/empty.yaml" );
	}
}
