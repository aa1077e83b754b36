package io.shardwise.spi;

import java.util.List;

import io.shardwise.TopologyException;
import io.shardwise.UnknownShardException;
import io.shardwise.internal.Checks;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;

/**
 * The argument checks and errors every {@link TopologyStore} gives in the same words, for implementations of the SPI:
 * the built-in stores use them, and the contract tests expect their messages.
 */
public final class TopologyStoreChecks {
	private TopologyStoreChecks() {
	}

	/** A placement given to {@link TopologyStore#placeIfAbsent} must be present and at version 1. */
	public static void requireNewPlacement(TenantPlacement placement) {
		Checks.notNull( placement, "placement" );
		if ( placement.version() != 1 ) {
			throw new IllegalArgumentException( "version of a new placement must be 1, but was " + placement.version()
					+ " (tenant " + Checks.quote( placement.tenantId() ) + "): use replacePlacement to change a placement" );
		}
	}

	/** A shard given to {@link TopologyStore#addShard} must be present and at version 1. */
	public static void requireNewShard(Shard shard) {
		Checks.notNull( shard, "shard" );
		if ( shard.version() != 1 ) {
			throw new IllegalArgumentException( "version of a new shard must be 1, but was " + shard.version()
					+ " (shard '" + shard.name() + "'): use replaceShard to change a shard" );
		}
	}

	/** The version of a replacement must be the expected version plus one. */
	public static void requireNextVersion(long expectedVersion, long nextVersion) {
		if ( nextVersion != expectedVersion + 1 ) {
			throw new IllegalArgumentException( "next version must be expectedVersion + 1 = " + ( expectedVersion + 1 )
					+ ", but was " + nextVersion + ": build it with next()/movedTo()/withStatus() from the version you read" );
		}
	}

	/** A placement names a shard the topology does not have. */
	public static UnknownShardException unknownShard(String tenantId, String shard, List<String> knownShards) {
		return new UnknownShardException( "tenant " + Checks.quote( tenantId ) + " cannot be placed on shard '" + shard
				+ "': no such shard; known shards: " + ( knownShards.isEmpty() ? "none" : String.join( ", ", knownShards ) )
				+ ". Add the shard first or choose a known one" );
	}

	/** A shard that still has tenants cannot be removed. */
	public static TopologyException shardInUse(String shard, long tenants) {
		return new TopologyException( "shard '" + shard + "' cannot be removed: " + tenants
				+ ( tenants == 1 ? " tenant is" : " tenants are" ) + " still placed on it; move "
				+ ( tenants == 1 ? "it" : "them" ) + " to other shards first (replacePlacement with TenantPlacement.movedTo)" );
	}
}
