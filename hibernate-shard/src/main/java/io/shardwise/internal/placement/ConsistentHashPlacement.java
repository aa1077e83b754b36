package io.shardwise.internal.placement;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.shardwise.internal.Checks;
import io.shardwise.spi.PlacementStrategy;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantTier;

/**
 * Placement strategy {@value #NAME}: the tenant goes to the shard owning its id on a {@link ConsistentHashRing} over the
 * candidates, weighted by their capacity weights. The tier and the current loads are ignored: the spread comes from
 * the hash, and the same tenant id over the same candidates always gets the same shard.
 * <p>
 * The ring of the last candidate set (names and capacity weights) is cached, so placing tenants one after another
 * builds it once; a different candidate set (a shard added, drained, or re-weighted) builds a new one. Thread-safe:
 * concurrent placements at worst build the same ring twice.
 */
public final class ConsistentHashPlacement implements PlacementStrategy {

	/** The short name, for {@code shardwise.placement.strategy}. */
	public static final String NAME = "consistent-hash";

	private final int virtualNodes;
	private volatile Cached cached;

	/** With {@link ConsistentHashRing#DEFAULT_VIRTUAL_NODES}. */
	public ConsistentHashPlacement() {
		this( ConsistentHashRing.DEFAULT_VIRTUAL_NODES );
	}

	/**
	 * @param virtualNodes points per shard of average weight, at least 1
	 */
	public ConsistentHashPlacement(int virtualNodes) {
		this.virtualNodes = Checks.positive( virtualNodes, "virtual nodes" );
	}

	public int virtualNodes() {
		return virtualNodes;
	}

	@Override
	public String choose(String tenantId, TenantTier tier, List<Shard> candidates, Map<String, Long> loadByShard) {
		Checks.notNull( tenantId, "tenant id" );
		return ring( candidates ).shardFor( tenantId );
	}

	/**
	 * The ring over the candidates: the cached one if they have the same names and weights, in the same order, as
	 * last time; else a new one, which becomes the cached one.
	 */
	ConsistentHashRing ring(List<Shard> candidates) {
		Checks.notNull( candidates, "candidates" );
		if ( candidates.isEmpty() ) {
			throw new IllegalArgumentException( "candidates must contain at least one shard accepting new tenants, "
					+ "but were empty" );
		}
		Cached c = cached;
		if ( c != null && c.matches( candidates ) ) {
			return c.ring;
		}
		String[] names = new String[candidates.size()];
		int[] weights = new int[candidates.size()];
		Map<String, Integer> byName = new LinkedHashMap<>();
		for ( int i = 0; i < names.length; i++ ) {
			Shard shard = Checks.notNull( candidates.get( i ), "candidate shard" );
			names[i] = shard.name();
			weights[i] = shard.capacityWeight();
			if ( byName.put( names[i], weights[i] ) != null ) {
				throw new IllegalArgumentException( "candidates must have distinct names, but '" + names[i]
						+ "' appears more than once" );
			}
		}
		c = new Cached( names, weights, ConsistentHashRing.of( byName, virtualNodes ) );
		cached = c;
		return c.ring;
	}

	@Override
	public String toString() {
		return NAME + "(virtualNodes=" + virtualNodes + ")";
	}

	/** A candidate set and its ring. Immutable: published whole through the volatile field. */
	private static final class Cached {
		private final String[] names;
		private final int[] weights;
		private final ConsistentHashRing ring;

		Cached(String[] names, int[] weights, ConsistentHashRing ring) {
			this.names = names;
			this.weights = weights;
			this.ring = ring;
		}

		boolean matches(List<Shard> candidates) {
			if ( candidates.size() != names.length ) {
				return false;
			}
			for ( int i = 0; i < names.length; i++ ) {
				Shard shard = candidates.get( i );
				if ( shard == null || shard.capacityWeight() != weights[i] || !shard.name().equals( names[i] ) ) {
					return false;
				}
			}
			return true;
		}
	}
}
