package io.shardwise.internal.placement;

import java.util.List;
import java.util.Map;

import io.shardwise.internal.Checks;
import io.shardwise.spi.PlacementStrategy;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantTier;

/**
 * Placement strategy {@value #NAME}: the tenant goes to the candidate with the lowest
 * {@code (load + tier.weight()) / capacityWeight}, i.e. the lowest load per unit of capacity once the tenant is
 * placed, where the load of a shard is the sum of the tier weights of its tenants. Ties go to the shard whose name
 * sorts first. The scores are compared exactly (as fractions, not floating point), so the choice is deterministic.
 * <p>
 * The tier matters when capacity weights differ: a LARGE tenant may fit a big shard better than a small one that
 * would take a SMALL tenant.
 */
public final class LeastLoadedPlacement implements PlacementStrategy {

	/** The short name, for {@code shardwise.placement.strategy}. */
	public static final String NAME = "least-loaded";

	@Override
	public String choose(String tenantId, TenantTier tier, List<Shard> candidates, Map<String, Long> loadByShard) {
		Checks.notNull( tier, "tier" );
		Checks.notNull( candidates, "candidates" );
		Checks.notNull( loadByShard, "loadByShard" );
		if ( candidates.isEmpty() ) {
			throw new IllegalArgumentException( "candidates must contain at least one shard accepting new tenants, "
					+ "but were empty" );
		}
		Shard best = null;
		long bestLoad = 0;
		for ( Shard shard : candidates ) {
			Checks.notNull( shard, "candidate shard" );
			long load = loadAfter( shard.name(), tier, loadByShard );
			if ( best == null ) {
				best = shard;
				bestLoad = load;
				continue;
			}
			int c = compareRatios( load, shard.capacityWeight(), bestLoad, best.capacityWeight() );
			if ( c < 0 || ( c == 0 && shard.name().compareTo( best.name() ) < 0 ) ) {
				best = shard;
				bestLoad = load;
			}
		}
		return best.name();
	}

	/** The shard's load with the new tenant: current load (absent = 0) plus the tier weight, saturating. */
	private static long loadAfter(String shardName, TenantTier tier, Map<String, Long> loadByShard) {
		Long current = loadByShard.get( shardName );
		long load = current == null ? 0 : current;
		if ( load < 0 ) {
			throw new IllegalArgumentException( "load of shard '" + shardName + "' must be 0 or greater, but was " + load );
		}
		return load > Long.MAX_VALUE - tier.weight() ? Long.MAX_VALUE : load + tier.weight();
	}

	/**
	 * Compares {@code a / wa} with {@code b / wb} exactly ({@code a, b >= 0}, {@code wa, wb > 0}), through the 128-bit
	 * products {@code a * wb} and {@code b * wa}.
	 */
	static int compareRatios(long a, int wa, long b, int wb) {
		long highLeft = Math.multiplyHigh( a, wb );
		long highRight = Math.multiplyHigh( b, wa );
		if ( highLeft != highRight ) {
			return Long.compare( highLeft, highRight );
		}
		return Long.compareUnsigned( a * wb, b * wa );
	}

	@Override
	public String toString() {
		return NAME;
	}
}
