package io.shardwise.hazelcast.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.shardwise.TopologyException;
import io.shardwise.topology.Shard;

/** The shards map's store and loader over the catalog's shard table. */
public final class ShardMapStore extends CatalogMapStore<ShardRecord> {

	@Override
	protected String describe(String key) {
		return "shard '" + key + "'";
	}

	@Override
	public ShardRecord load(String key) {
		return catalog().findShard( key ).map( Records::record ).orElse( null );
	}

	@Override
	public Map<String, ShardRecord> loadAll(Collection<String> keys) {
		Map<String, ShardRecord> result = new HashMap<>();
		for ( Shard s : catalog().shards() ) {
			if ( keys.contains( s.name() ) ) {
				result.put( s.name(), Records.record( s ) );
			}
		}
		return result;
	}

	@Override
	public Iterable<String> loadAllKeys() {
		return catalog().shards().stream().map( Shard::name ).toList();
	}

	@Override
	protected ShardRecord read(String key) {
		return load( key );
	}

	@Override
	protected ShardRecord insert(String key, ShardRecord value) {
		Shard shard = Records.shard( key, value );
		try {
			catalog().addShard( shard );
			return value;
		}
		catch (TopologyException e) {
			Optional<Shard> existing = catalog().findShard( key );
			if ( existing.isPresent() ) {
				return Records.record( existing.get() );
			}
			throw e;
		}
	}

	@Override
	protected boolean replace(String key, ShardRecord value) {
		return catalog().replaceShard( value.version() - 1, Records.shard( key, value ) );
	}

	@Override
	protected boolean remove(String key, long expectedVersion) {
		return catalog().removeShard( key, expectedVersion );
	}

	@Override
	protected boolean same(ShardRecord a, ShardRecord b) {
		return Records.shard( "x", a ).equals( Records.shard( "x", b ) );
	}
}
