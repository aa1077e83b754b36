package io.shardwise.hazelcast.internal;

import java.util.Collection;
import java.util.Map;
import java.util.Properties;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.MapLoaderLifecycleSupport;
import com.hazelcast.map.MapStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shardwise.TopologyException;
import io.shardwise.store.JdbcCatalogTopologyStore;

/**
 * Write-through map store and loader of a topology map over the JDBC catalog, the source of truth. Every write is a
 * version-checked change in the catalog, so that two sides of a split cluster can never both commit the same version:
 * <ul>
 * <li>a write of our compare-and-set entry processor (it records its expectation in the {@link MemberContext}) is
 * strict: if the catalog does not hold the expected version (nor, idempotently, the new value already), it throws
 * {@link CatalogConflictException} and Hazelcast does not apply the change;</li>
 * <li>any other write (a split-brain merge, a plain {@code put} by other code) does not reach the catalog: every value
 * a merge offers was written through by one side already, and the catalog keeps what it holds (the store reloads the
 * maps from the catalog after a merge);</li>
 * <li>a removal that is not our entry processor's is refused.</li>
 * </ul>
 * Catalog failures propagate as {@link TopologyException}s naming the catalog and the change.
 */
public abstract class CatalogMapStore<V extends Versioned> implements MapStore<String, V>, MapLoaderLifecycleSupport {
	private static final Logger LOG = LoggerFactory.getLogger( CatalogMapStore.class );

	private volatile MemberContext context;
	private JdbcCatalogTopologyStore ownedCatalog;
	private volatile String mapName;
	private volatile Properties properties;

	@Override
	public void init(HazelcastInstance hazelcastInstance, Properties properties, String mapName) {
		this.mapName = mapName;
		this.properties = properties;
		this.context = MemberContext.of( hazelcastInstance );
		// the catalog is resolved on first use: Hazelcast also creates map stores while shutting down
	}

	@Override
	public void destroy() {
		synchronized ( this ) {
			if ( ownedCatalog != null ) {
				ownedCatalog = null;
				context.releaseOwnedCatalog( properties.getProperty( CatalogProperties.KEY ) );
			}
		}
	}

	/**
	 * The catalog: the one the member's store registered (looked up on every use, so that a closed store's catalog is
	 * never used), else one this member opens from the map store properties.
	 */
	protected JdbcCatalogTopologyStore catalog() {
		if ( context == null ) {
			throw new IllegalStateException( "map store of " + mapName + " used before init()" );
		}
		JdbcCatalogTopologyStore registered = context.registeredCatalog( properties.getProperty( CatalogProperties.KEY ) );
		if ( registered != null ) {
			return registered;
		}
		synchronized ( this ) {
			if ( ownedCatalog == null ) {
				ownedCatalog = context.acquireOwnedCatalog( properties );
			}
			return ownedCatalog;
		}
	}

	/** What the entity is, for messages: "tenant 'acme'", "shard 'eu-1'". */
	protected abstract String describe(String key);

	/** The entity as the catalog holds it now, or null. */
	protected abstract V read(String key);

	/** Inserts version 1; returns what the catalog holds afterwards. */
	protected abstract V insert(String key, V value);

	/** Replaces {@code value.version() - 1} by {@code value}; returns whether it did. */
	protected abstract boolean replace(String key, V value);

	/** Removes {@code expectedVersion}; returns whether it did. */
	protected abstract boolean remove(String key, long expectedVersion);

	/** Whether two values are the same entity state. */
	protected abstract boolean same(V a, V b);

	@Override
	public void store(String key, V value) {
		Long expected = context.takeExpectation( mapName, key );
		if ( expected == null ) {
			// not a change of ours: a split-brain merge (every merged value was written through by one side already)
			// or a direct write by other code. The catalog keeps what it holds; the store reloads the maps from it
			// after a merge.
			LOG.debug( "Not writing version {} of {} to the catalog: it was not changed through the Shardwise store",
					value.version(), describe( key ) );
			return;
		}
		boolean done = value.version() == 1 ? same( insert( key, value ), value ) : replace( key, value );
		if ( done ) {
			return;
		}
		V current = read( key );
		if ( current != null && same( current, value ) ) {
			return; // already there: a retried operation
		}
		throw new CatalogConflictException( "the topology catalog " + catalog().catalogUrl() + " refused version "
				+ value.version() + " of " + describe( key ) + ": it holds " + ( current == null ? "no such entry"
				: "version " + current.version() ) + ", so another member, or a cluster on the other side of a network "
				+ "split, changed it first; the change was not applied: read the entry again and retry" );
	}

	@Override
	public void storeAll(Map<String, V> map) {
		map.forEach( this::store );
	}

	@Override
	public void delete(String key) {
		Long expected = context.takeExpectation( mapName, key );
		if ( expected == null ) {
			throw new TopologyException( "removing " + describe( key ) + " from " + mapName + " directly was refused: "
					+ "remove it through the Shardwise topology store, a compare-and-set on its version" );
		}
		if ( remove( key, expected ) ) {
			return;
		}
		V current = read( key );
		if ( current == null ) {
			return; // already gone: a retried operation
		}
		throw new CatalogConflictException( "the topology catalog " + catalog().catalogUrl() + " refused to remove version "
				+ expected + " of " + describe( key ) + ": it holds version " + current.version() + ", so another member, "
				+ "or a cluster on the other side of a network split, changed it first; nothing was removed" );
	}

	@Override
	public void deleteAll(Collection<String> keys) {
		keys.forEach( this::delete );
	}
}
