package io.shardwise.spi;

import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;

/**
 * A change of the topology, as reported to {@link TopologyListener}s.
 */
public sealed interface TopologyChange {

	/** A placement was created, replaced ({@code before} and {@code after} set) or removed ({@code after} null). */
	record PlacementChanged(String tenantId, TenantPlacement before, TenantPlacement after) implements TopologyChange {
	}

	/** A shard was added ({@code before} null), replaced, or removed ({@code after} null). */
	record ShardChanged(String name, Shard before, Shard after) implements TopologyChange {
	}

	/**
	 * Anything may have changed (a reload, a rebalance, a split-brain merge): caches must drop everything they hold
	 * and re-read the shards.
	 */
	record Invalidated(String reason) implements TopologyChange {
	}
}
