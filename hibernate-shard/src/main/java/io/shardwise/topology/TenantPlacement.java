package io.shardwise.topology;

import java.util.Objects;

import io.shardwise.TenantIds;
import io.shardwise.internal.Checks;

/**
 * Where a tenant lives: its shard, tier, status and version. Immutable; only a move (a compare-and-set on the
 * version in the topology store) changes it.
 */
public final class TenantPlacement {
	private final String tenantId;
	private final String shard;
	private final TenantTier tier;
	private final PlacementStatus status;
	private final long version;

	public TenantPlacement(String tenantId, String shard, TenantTier tier, PlacementStatus status, long version) {
		this.tenantId = TenantIds.validate( tenantId );
		this.shard = Checks.shardName( shard );
		this.tier = Checks.notNull( tier, "tier of tenant '" + tenantId + "'" );
		this.status = Checks.notNull( status, "status of tenant '" + tenantId + "'" );
		this.version = Checks.positive( version, "version of tenant '" + tenantId + "'" );
	}

	/** A new placement (version 1, ACTIVE). */
	public static TenantPlacement of(String tenantId, String shard, TenantTier tier) {
		return new TenantPlacement( tenantId, shard, tier, PlacementStatus.ACTIVE, 1 );
	}

	public String tenantId() {
		return tenantId;
	}

	public String shard() {
		return shard;
	}

	public TenantTier tier() {
		return tier;
	}

	public PlacementStatus status() {
		return status;
	}

	public long version() {
		return version;
	}

	/** The next version on another shard (a move). */
	public TenantPlacement movedTo(String newShard) {
		return new TenantPlacement( tenantId, newShard, tier, status, version + 1 );
	}

	/** The next version with another status. */
	public TenantPlacement withStatus(PlacementStatus newStatus) {
		return new TenantPlacement( tenantId, shard, tier, newStatus, version + 1 );
	}

	/** The next version with another tier. */
	public TenantPlacement withTier(TenantTier newTier) {
		return new TenantPlacement( tenantId, shard, newTier, status, version + 1 );
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof TenantPlacement p && tenantId.equals( p.tenantId ) && shard.equals( p.shard )
				&& tier == p.tier && status == p.status && version == p.version;
	}

	@Override
	public int hashCode() {
		return Objects.hash( tenantId, version );
	}

	@Override
	public String toString() {
		return "TenantPlacement[" + tenantId + " -> " + shard + ", " + tier + ", " + status + ", v" + version + "]";
	}
}
