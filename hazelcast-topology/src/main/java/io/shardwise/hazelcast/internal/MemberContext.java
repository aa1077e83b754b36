package io.shardwise.hazelcast.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.hazelcast.core.HazelcastInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shardwise.ShardwiseSettings;
import io.shardwise.TopologyException;
import io.shardwise.store.JdbcCatalogTopologyStore;

/**
 * What one Hazelcast member knows of Shardwise, kept in the member's user context: the catalog stores its map stores
 * write through (the one the local {@code HazelcastTopologyStore} opened, or one built from the map store properties
 * on a member without a store), the compare-and-set expectations an entry processor hands to the map store on the
 * same member, and the local stores that apply cluster-wide invalidations.
 */
public final class MemberContext {
	private static final Logger LOG = LoggerFactory.getLogger( MemberContext.class );

	/** The key of the context in the member's user context. */
	public static final String KEY = "io.shardwise.hazelcast.MemberContext";

	private final ConcurrentHashMap<String, JdbcCatalogTopologyStore> catalogs = new ConcurrentHashMap<>();
	private final ConcurrentHashMap<String, JdbcCatalogTopologyStore> ownedCatalogs = new ConcurrentHashMap<>();
	private final ConcurrentHashMap<String, Integer> ownedUsers = new ConcurrentHashMap<>();
	private final ConcurrentHashMap<String, Long> expectations = new ConcurrentHashMap<>();
	private final CopyOnWriteArrayList<LocalStore> stores = new CopyOnWriteArrayList<>();

	/** The context of a member, created on first use. */
	public static MemberContext of(HazelcastInstance hz) {
		return of( hz.getUserContext() );
	}

	public static MemberContext of(ConcurrentMap<String, Object> userContext) {
		Object context = userContext.computeIfAbsent( KEY, k -> new MemberContext() );
		if ( context instanceof MemberContext c ) {
			return c;
		}
		// another class loader's copy (e.g. two web applications sharing a member): not ours to use
		throw new IllegalStateException( "the Hazelcast user context entry '" + KEY + "' must be a " + MemberContext.class
				+ ", but was a " + context.getClass() + " from another class loader: give each application its own member" );
	}

	// ---- catalogs ----

	/** The key under which a catalog is shared: its (password-free) URL and table prefix. */
	public static String catalogKey(String safeUrl, String tablePrefix) {
		return safeUrl + "|" + tablePrefix;
	}

	/** Registers the catalog a local store opened, for the map stores of this member. */
	public void registerCatalog(String key, JdbcCatalogTopologyStore catalog) {
		catalogs.put( key, catalog );
	}

	public void unregisterCatalog(String key, JdbcCatalogTopologyStore catalog) {
		catalogs.remove( key, catalog );
	}

	/** The catalog a local store registered under this key, or null. */
	public JdbcCatalogTopologyStore registeredCatalog(String key) {
		return key == null ? null : catalogs.get( key );
	}

	/**
	 * A catalog built from map store properties, for a member without a local store of that catalog (e.g. a cluster
	 * member serving clients, or a member whose store closed); shared by the map stores of this member, counted, and
	 * closed by the last {@link #releaseOwnedCatalog}.
	 */
	public JdbcCatalogTopologyStore acquireOwnedCatalog(Properties properties) {
		String key = properties.getProperty( CatalogProperties.KEY );
		if ( key == null ) {
			throw new TopologyException( "the map store properties must name the catalog (" + CatalogProperties.KEY
					+ "), but do not: configure the topology maps through the Shardwise hazelcast store, not by hand" );
		}
		synchronized ( ownedCatalogs ) {
			JdbcCatalogTopologyStore catalog = ownedCatalogs.computeIfAbsent( key, k -> {
				if ( Boolean.parseBoolean( properties.getProperty( CatalogProperties.PASSWORD_OMITTED ) ) ) {
					throw new TopologyException( "this member has no Shardwise store of its own and must connect to the "
							+ "topology catalog " + k.substring( 0, k.lastIndexOf( '|' ) ) + " itself, but the catalog "
							+ "password was not handed to it because it is a literal: give "
							+ ShardwiseSettings.CATALOG_PASSWORD + " as a ${ENV_VAR} reference that every member can "
							+ "resolve, or run a Shardwise store on every member" );
				}
				Map<String, Object> settings = new java.util.HashMap<>();
				for ( String name : properties.stringPropertyNames() ) {
					if ( name.startsWith( ShardwiseSettings.PREFIX ) ) {
						settings.put( name, properties.getProperty( name ) );
					}
				}
				LOG.info( "Opening the topology catalog {} for this member's topology map stores", k );
				return JdbcCatalogTopologyStore.create( settings );
			} );
			ownedUsers.merge( key, 1, Integer::sum );
			return catalog;
		}
	}

	/** A map store of this member no longer uses the catalog it got from {@link #acquireOwnedCatalog}. */
	public void releaseOwnedCatalog(String key) {
		synchronized ( ownedCatalogs ) {
			Integer left = ownedUsers.computeIfPresent( key, (k, n) -> n > 1 ? n - 1 : null );
			if ( left == null ) {
				JdbcCatalogTopologyStore owned = ownedCatalogs.remove( key );
				if ( owned != null ) {
					owned.close();
				}
			}
		}
	}

	/** Closes the catalogs this context built itself (when the member shuts down). */
	public void closeOwnedCatalogs() {
		List<JdbcCatalogTopologyStore> owned;
		synchronized ( ownedCatalogs ) {
			owned = new ArrayList<>( ownedCatalogs.values() );
			ownedCatalogs.clear();
			ownedUsers.clear();
		}
		owned.forEach( JdbcCatalogTopologyStore::close );
	}

	// ---- compare-and-set hand-over from entry processor to map store ----

	/**
	 * Records, on the owner of the entry, that the entry processor now running changes {@code key} of {@code map}
	 * from {@code expectedVersion}: the map store then writes the change to the catalog as a strict compare-and-set.
	 */
	public void expect(String map, String key, long expectedVersion) {
		expectations.put( map + '\u0000' + key, expectedVersion );
	}

	/** The expectation recorded for this change, removed; null if the change did not come from our entry processor. */
	public Long takeExpectation(String map, String key) {
		return expectations.remove( map + '\u0000' + key );
	}

	// ---- local stores ----

	/** A store on this member that applies cluster-wide invalidations. */
	public interface LocalStore {
		String namePrefix();

		void applyInvalidation(String reason);
	}

	public void register(LocalStore store) {
		stores.add( store );
	}

	public void unregister(LocalStore store) {
		stores.remove( store );
	}

	/** Applies an invalidation to the local stores of {@code namePrefix}; returns how many there were. */
	public int invalidate(String namePrefix, String reason) {
		int applied = 0;
		for ( LocalStore store : stores ) {
			if ( store.namePrefix().equals( namePrefix ) ) {
				store.applyInvalidation( reason );
				applied++;
			}
		}
		return applied;
	}
}
