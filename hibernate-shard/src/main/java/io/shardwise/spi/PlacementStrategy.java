package io.shardwise.spi;

import java.util.List;
import java.util.Map;

import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantTier;

/**
 * Chooses the shard of a new tenant. Called once per new tenant; the choice is recorded in the topology store and
 * never revisited because shards were added (only a move changes a placement).
 * <p>
 * Built in, chosen with {@code shardwise.placement.strategy}: {@code consistent-hash} and {@code least-loaded}.
 */
public interface PlacementStrategy {

	/**
	 * @param tenantId the new tenant (already validated)
	 * @param tier its tier
	 * @param candidates the shards that accept new tenants (status ACTIVE), never empty, in name order
	 * @param loadByShard sum of tier weights of the tenants already placed, by shard name (absent means 0)
	 * @return the name of one of {@code candidates}
	 */
	String choose(String tenantId, TenantTier tier, List<Shard> candidates, Map<String, Long> loadByShard);
}
