package io.shardwise.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import io.shardwise.TenantIds;
import io.shardwise.TopologyException;
import io.shardwise.UnknownShardException;
import io.shardwise.internal.Checks;
import io.shardwise.spi.TopologyChange;
import io.shardwise.spi.TopologyListener;
import io.shardwise.spi.TopologyStore;
import io.shardwise.spi.TopologyStoreChecks;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;

/**
 * A {@link TopologyStore} that keeps shards and placements in memory, in this JVM only. Nothing survives a restart:
 * use it in tests, or through {@link FileTopologyStore} for a topology that is fixed at startup.
 * <p>
 * Every change is an atomic compare-and-set ({@link ConcurrentHashMap#compute}): of several threads replacing the
 * same version, exactly one wins. Rules enforced:
 * <ul>
 * <li>{@link #placeIfAbsent} takes version 1 only, and the shard must exist ({@link UnknownShardException} otherwise);</li>
 * <li>{@link #replacePlacement} and {@link #replaceShard} take {@code next.version() == expectedVersion + 1} only,
 * and a placement must name an existing shard;</li>
 * <li>{@link #addShard} refuses a name that exists, {@link #removeShard} a shard that tenants are placed on
 * ({@link TopologyException}); placing on a shard and removing it exclude each other, so no placement ever names a
 * removed shard.</li>
 * </ul>
 * After each successful change the subscribed listeners get a {@link TopologyChange.PlacementChanged} or
 * {@link TopologyChange.ShardChanged} event on the thread that made the change. Events of changes made concurrently
 * by different threads may arrive in either order: a listener that keeps state compares versions.
 */
public class InMemoryTopologyStore implements TopologyStore {
	private static final Comparator<Shard> BY_NAME = Comparator.comparing( Shard::name );
	private static final Comparator<TenantPlacement> BY_TENANT = Comparator.comparing( TenantPlacement::tenantId );

	private final ConcurrentHashMap<String, Shard> shards = new ConcurrentHashMap<>();
	private final ConcurrentHashMap<String, TenantPlacement> placements = new ConcurrentHashMap<>();
	/**
	 * Read-locked by changes that make a placement name a shard, write-locked by the removal of a shard, so that a
	 * shard cannot disappear between the check that it exists and the placement.
	 */
	private final ReentrantReadWriteLock shardUse = new ReentrantReadWriteLock();
	private final TopologyListeners listeners = new TopologyListeners( getClass().getSimpleName() );

	/** An empty store. */
	public InMemoryTopologyStore() {
	}

	/**
	 * A store holding the given topology (with the versions it has). No events are fired for it.
	 *
	 * @throws TopologyException if two shards or two placements share a name
	 * @throws UnknownShardException if a placement names a shard not in {@code initialShards}
	 */
	public InMemoryTopologyStore(Collection<Shard> initialShards, Collection<TenantPlacement> initialPlacements) {
		for ( Shard shard : Checks.notNull( initialShards, "initialShards" ) ) {
			Checks.notNull( shard, "shard" );
			if ( shards.putIfAbsent( shard.name(), shard ) != null ) {
				throw new TopologyException( "shard names must be unique, but '" + shard.name() + "' is given twice" );
			}
		}
		for ( TenantPlacement placement : Checks.notNull( initialPlacements, "initialPlacements" ) ) {
			Checks.notNull( placement, "placement" );
			requireShard( placement );
			if ( placements.putIfAbsent( placement.tenantId(), placement ) != null ) {
				throw new TopologyException( "tenants must be placed once, but tenant " + Checks.quote( placement.tenantId() )
						+ " is given twice" );
			}
		}
	}

	@Override
	public Optional<TenantPlacement> findPlacement(String tenantId) {
		return Optional.ofNullable( placements.get( TenantIds.validate( tenantId ) ) );
	}

	/** Every placement, in tenant id order. */
	@Override
	public List<TenantPlacement> placements() {
		List<TenantPlacement> all = new ArrayList<>( placements.values() );
		all.sort( BY_TENANT );
		return all;
	}

	@Override
	public List<Shard> shards() {
		List<Shard> all = new ArrayList<>( shards.values() );
		all.sort( BY_NAME );
		return all;
	}

	@Override
	public Optional<Shard> findShard(String name) {
		return Optional.ofNullable( shards.get( Checks.notNull( name, "shard name" ) ) );
	}

	@Override
	public TenantPlacement placeIfAbsent(TenantPlacement placement) {
		TopologyStoreChecks.requireNewPlacement( placement );
		TenantPlacement existing;
		Lock lock = shardUse.readLock();
		lock.lock();
		try {
			requireShard( placement );
			existing = placements.putIfAbsent( placement.tenantId(), placement );
		}
		finally {
			lock.unlock();
		}
		if ( existing != null ) {
			return existing;
		}
		listeners.fire( new TopologyChange.PlacementChanged( placement.tenantId(), null, placement ) );
		return placement;
	}

	@Override
	public boolean replacePlacement(long expectedVersion, TenantPlacement next) {
		Checks.notNull( next, "next" );
		TopologyStoreChecks.requireNextVersion( expectedVersion, next.version() );
		TenantPlacement[] replaced = new TenantPlacement[1];
		Lock lock = shardUse.readLock();
		lock.lock();
		try {
			requireShard( next );
			placements.computeIfPresent( next.tenantId(), (tenantId, current) -> {
				if ( current.version() != expectedVersion ) {
					return current;
				}
				replaced[0] = current;
				return next;
			} );
		}
		finally {
			lock.unlock();
		}
		if ( replaced[0] == null ) {
			return false;
		}
		listeners.fire( new TopologyChange.PlacementChanged( next.tenantId(), replaced[0], next ) );
		return true;
	}

	@Override
	public boolean removePlacement(String tenantId, long expectedVersion) {
		TenantIds.validate( tenantId );
		TenantPlacement[] removed = new TenantPlacement[1];
		placements.computeIfPresent( tenantId, (id, current) -> {
			if ( current.version() != expectedVersion ) {
				return current;
			}
			removed[0] = current;
			return null;
		} );
		if ( removed[0] == null ) {
			return false;
		}
		listeners.fire( new TopologyChange.PlacementChanged( tenantId, removed[0], null ) );
		return true;
	}

	@Override
	public void addShard(Shard shard) {
		TopologyStoreChecks.requireNewShard( shard );
		Shard existing = shards.putIfAbsent( shard.name(), shard );
		if ( existing != null ) {
			throw new TopologyException( "shard '" + shard.name() + "' cannot be added: a shard of that name exists (v"
					+ existing.version() + "); use replaceShard to change it or choose another name" );
		}
		listeners.fire( new TopologyChange.ShardChanged( shard.name(), null, shard ) );
	}

	@Override
	public boolean replaceShard(long expectedVersion, Shard next) {
		Checks.notNull( next, "next" );
		TopologyStoreChecks.requireNextVersion( expectedVersion, next.version() );
		Shard[] replaced = new Shard[1];
		shards.computeIfPresent( next.name(), (name, current) -> {
			if ( current.version() != expectedVersion ) {
				return current;
			}
			replaced[0] = current;
			return next;
		} );
		if ( replaced[0] == null ) {
			return false;
		}
		listeners.fire( new TopologyChange.ShardChanged( next.name(), replaced[0], next ) );
		return true;
	}

	@Override
	public boolean removeShard(String name, long expectedVersion) {
		Checks.notNull( name, "shard name" );
		Shard removed;
		Lock lock = shardUse.writeLock();
		lock.lock();
		try {
			Shard current = shards.get( name );
			if ( current == null || current.version() != expectedVersion ) {
				return false;
			}
			long tenants = placements.values().stream().filter( p -> p.shard().equals( name ) ).count();
			if ( tenants > 0 ) {
				throw TopologyStoreChecks.shardInUse( name, tenants );
			}
			// a concurrent replaceShard may have won since the read: then this removal loses
			removed = shards.remove( name, current ) ? current : null;
		}
		finally {
			lock.unlock();
		}
		if ( removed == null ) {
			return false;
		}
		listeners.fire( new TopologyChange.ShardChanged( name, removed, null ) );
		return true;
	}

	/** Reports {@link TopologyChange.Invalidated} to this store's listeners (this JVM only). */
	@Override
	public void invalidateAll(String reason) {
		listeners.fire( new TopologyChange.Invalidated( Checks.notBlank( reason, "reason" ) ) );
	}

	@Override
	public Subscription subscribe(TopologyListener listener) {
		return listeners.add( listener );
	}

	/** Drops the listeners; the topology stays readable. */
	@Override
	public void close() {
		listeners.clear();
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[" + shards.size() + " shards, " + placements.size() + " placements]";
	}

	private void requireShard(TenantPlacement placement) {
		if ( !shards.containsKey( placement.shard() ) ) {
			throw TopologyStoreChecks.unknownShard( placement.tenantId(), placement.shard(), shards().stream().map( Shard::name ).toList() );
		}
	}
}
