package io.shardwise.hazelcast.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import io.shardwise.internal.Checks;
import io.shardwise.topology.TenantPlacement;

/** The placements map's store and loader over the catalog's tenant table. */
public final class PlacementMapStore extends CatalogMapStore<PlacementRecord> {

	@Override
	protected String describe(String key) {
		return "the placement of tenant " + Checks.quote( key );
	}

	@Override
	public PlacementRecord load(String key) {
		return catalog().findPlacement( key ).map( Records::record ).orElse( null );
	}

	@Override
	public Map<String, PlacementRecord> loadAll(Collection<String> keys) {
		Map<String, PlacementRecord> result = new HashMap<>( keys.size() * 2 );
		catalog().findPlacements( keys ).forEach( (k, p) -> result.put( k, Records.record( p ) ) );
		return result;
	}

	@Override
	public Iterable<String> loadAllKeys() {
		return catalog().tenantIds();
	}

	@Override
	protected PlacementRecord read(String key) {
		return load( key );
	}

	@Override
	protected PlacementRecord insert(String key, PlacementRecord value) {
		return Records.record( catalog().placeIfAbsent( Records.placement( key, value ) ) );
	}

	@Override
	protected boolean replace(String key, PlacementRecord value) {
		TenantPlacement next = Records.placement( key, value );
		return catalog().replacePlacement( value.version() - 1, next );
	}

	@Override
	protected boolean remove(String key, long expectedVersion) {
		return catalog().removePlacement( key, expectedVersion );
	}

	@Override
	protected boolean same(PlacementRecord a, PlacementRecord b) {
		return a.equals( b );
	}
}
