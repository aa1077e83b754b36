package io.shardwise.hazelcast;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.hazelcast.client.UndefinedErrorCodeException;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryLoadedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;
import com.hazelcast.topic.ITopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shardwise.ShardwiseException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.TenantIds;
import io.shardwise.TopologyException;
import io.shardwise.UnknownShardException;
import io.shardwise.hazelcast.internal.CasOutcome;
import io.shardwise.hazelcast.internal.CasProcessor;
import io.shardwise.hazelcast.internal.CatalogConflictException;
import io.shardwise.hazelcast.internal.CatalogProperties;
import io.shardwise.hazelcast.internal.HazelcastSettings;
import io.shardwise.hazelcast.internal.HazelcastSetup;
import io.shardwise.hazelcast.internal.InvalidateTask;
import io.shardwise.hazelcast.internal.MemberContext;
import io.shardwise.hazelcast.internal.PlacementMapStore;
import io.shardwise.hazelcast.internal.PlacementRecord;
import io.shardwise.hazelcast.internal.Records;
import io.shardwise.hazelcast.internal.ShardMapStore;
import io.shardwise.hazelcast.internal.ShardRecord;
import io.shardwise.hazelcast.internal.Versioned;
import io.shardwise.internal.Checks;
import io.shardwise.internal.Settings;
import io.shardwise.spi.TopologyChange;
import io.shardwise.spi.TopologyListener;
import io.shardwise.spi.TopologyStore;
import io.shardwise.spi.TopologyStoreChecks;
import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.store.TopologyListeners;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;

/**
 * The cluster-wide topology store ({@code shardwise.topology.store=hazelcast}): every application member routes by
 * the same, current, durable topology.
 *
 * <h2>Where the topology lives</h2>
 * Two Hazelcast maps, {@code <prefix>.shards} and {@code <prefix>.placements}, are a cache in front of the JDBC
 * catalog ({@link JdbcCatalogTopologyStore}, the source of truth): a write-through map store (write delay 0) and an
 * eager map loader. A full-cluster restart loads every shard and placement from the catalog before the store is
 * returned; each entry has at least one synchronous backup, so losing a member loses nothing.
 *
 * <h2>Changes</h2>
 * Every change is a compare-and-set on the entity's version, run as an entry processor on the member owning the
 * entry's partition (no CP subsystem). The entry processor checks the cached version; its write goes through the map
 * store to the catalog as a version-checked {@code UPDATE}/{@code INSERT}/{@code DELETE}. If the catalog holds another
 * version (another member won, or the other side of a network split did), the write fails, the cached entry is left
 * as it was and then reloaded from the catalog, and the call returns {@code false}: of all writers of one version,
 * in one cluster or in both halves of a split one, exactly one wins. If the catalog is down, changes fail with a
 * {@link TopologyException} naming the catalog and the change, while routing goes on from the caches.
 *
 * <h2>Reads, events and the guarantee</h2>
 * The router keeps its own route cache; it reads this store only on a miss. {@link #findPlacement} reads through a
 * near cache (OBJECT format, the entries other members own; {@code shardwise.hazelcast.near-cache=false} turns it off
 * at the price of one round trip per route-cache miss) whose invalidations are sent one by one (the store sets
 * {@code hazelcast.map.invalidation.batch.enabled=false} on the members it configures; with a handed-in instance or
 * the application's own file that sets it otherwise, invalidations are batched, up to 10 s by default), so that in the
 * steady state routing never goes over the network. Every member registers an entry listener (with values) on both
 * maps: a change made on any member is reported to every member's router as a {@link TopologyChange} as soon as the
 * owner has applied it, typically within milliseconds on a LAN; the router replaces the cached route, keeping the
 * higher version. Events of one entry arrive in order.
 *
 * <h2>Invalidation, membership, split brain</h2>
 * {@link #invalidateAll(String)} (after a rebalance) runs a task on every member through an {@code IExecutorService}
 * and waits for every member's acknowledgement; clients hear it through an {@code ITopic}. When a member leaves,
 * every member drops its cached routes (events of a change in flight on the lost member may be lost). After a
 * split-brain heal, the merge policy keeps the entry with the higher version ({@code HigherVersionMergePolicy}); the
 * members that merged then reload both maps from the catalog and broadcast an invalidation, so that every member ends
 * on the catalog's topology.
 *
 * <h2>Modes</h2>
 * An embedded member (default) built from {@code shardwise.hazelcast.*} settings (TCP-IP join, never multicast) or from
 * the application's {@code hazelcast.yaml}/{@code .xml}; a client ({@code shardwise.hazelcast.mode=client}); or a
 * handed-in {@link HazelcastInstance} ({@link ShardwiseSettings#HAZELCAST_INSTANCE}), which stays the caller's. Every
 * member that hosts the maps needs this module and the catalog's JDBC driver; a member without a Shardwise store of
 * its own connects to the catalog from the map store properties (the catalog password must then be a
 * {@code ${ENV_VAR}} reference: a literal password is never put into Hazelcast's configuration).
 */
public final class HazelcastTopologyStore implements TopologyStore, MemberContext.LocalStore {
	private static final Logger LOG = LoggerFactory.getLogger( HazelcastTopologyStore.class );

	private final HazelcastSettings settings;
	private final HazelcastInstance hazelcast;
	private final String clusterName;
	private final boolean ownsInstance;
	private final boolean member;
	private final JdbcCatalogTopologyStore catalog;
	private final String catalogKey;
	private final MemberContext context;
	private final IMap<String, PlacementRecord> placements;
	private final IMap<String, ShardRecord> shards;
	private final IExecutorService executor;
	private final ITopic<String> topic;
	private final TopologyListeners listeners = new TopologyListeners( "HazelcastTopologyStore" );
	private final List<Runnable> deregistrations = new ArrayList<>();
	private final ExecutorService background;
	private final AtomicLong reloads = new AtomicLong();
	private volatile boolean closed;

	private HazelcastTopologyStore(HazelcastSettings settings, HazelcastInstance hazelcast, String clusterName,
			boolean ownsInstance, JdbcCatalogTopologyStore catalog, String catalogKey) {
		this.settings = settings;
		this.hazelcast = hazelcast;
		this.clusterName = clusterName;
		this.ownsInstance = ownsInstance;
		this.member = hazelcast.getLocalEndpoint() instanceof Member;
		this.catalog = catalog;
		this.catalogKey = catalogKey;
		this.context = member ? MemberContext.of( hazelcast ) : null;
		this.background = Executors.newSingleThreadExecutor( r -> {
			Thread t = new Thread( r, "shardwise-hazelcast-" + settings.namePrefix() );
			t.setDaemon( true );
			return t;
		} );
		try {
			this.shards = hazelcast.getMap( settings.shardsMap() );
			this.placements = hazelcast.getMap( settings.placementsMap() );
			// wait for the eager initial load; a loader failure surfaces here
			int shardCount = shards.size();
			int placementCount = placements.size();
			LOG.info( "Hazelcast topology store ready on cluster '{}' as {}: {} shards and {} placements (loaded from {})",
					clusterName, member ? "member " + hazelcast.getCluster().getLocalMember()
							: "client", shardCount, placementCount, catalog.catalogUrl() );
		}
		catch (RuntimeException e) {
			background.shutdownNow();
			throw new TopologyException( "could not load the topology from the catalog " + catalog.catalogUrl()
					+ " into the Hazelcast maps " + settings.shardsMap() + " and " + settings.placementsMap() + ": "
					+ rootMessage( e ) + ". Check that the catalog is reachable from every member", e );
		}
		this.executor = hazelcast.getExecutorService( settings.invalidationExecutor() );
		this.topic = hazelcast.getTopic( settings.invalidationTopic() );
		listen();
	}

	/**
	 * Starts the store from persistence-unit settings: the catalog ({@code shardwise.catalog.*}, required) and the
	 * Hazelcast instance ({@code shardwise.hazelcast.*}, see {@link ShardwiseSettings}).
	 *
	 * @throws io.shardwise.ShardwiseConfigurationException if a setting is invalid or the Hazelcast configuration file
	 * is malformed
	 * @throws TopologyException if the catalog is down, the cluster cannot be reached (client mode), the member cannot
	 * start, or the initial load fails
	 */
	public static HazelcastTopologyStore create(Map<String, ?> settings) {
		HazelcastSettings hs = HazelcastSettings.from( settings );
		// read (and fail on) the Hazelcast configuration file before reaching out to anything
		Config memberConfig = hs.instance() == null && !hs.client() ? HazelcastSetup.memberConfig( hs ) : null;
		var clientConfig = hs.instance() == null && hs.client() ? HazelcastSetup.clientConfig( hs ) : null;

		new Settings( settings ).requiredString( ShardwiseSettings.CATALOG_URL, "the hazelcast "
				+ "topology store keeps its maps in front of a durable catalog database, the source of truth; give its JDBC "
				+ "URL, e.g. jdbc:postgresql://catalog-host/shardwise (and " + ShardwiseSettings.CATALOG_USER + ", "
				+ ShardwiseSettings.CATALOG_PASSWORD + ")" );
		JdbcCatalogTopologyStore catalog;
		try {
			catalog = JdbcCatalogTopologyStore.create( settings );
		}
		catch (TopologyException e) {
			throw new TopologyException( "the hazelcast topology store cannot start without its catalog, the source of "
					+ "truth of the topology: " + e.getMessage(), e );
		}
		Properties properties = CatalogProperties.of( settings, catalog );
		String key = properties.getProperty( CatalogProperties.KEY );
		MapConfig shardsConfig = HazelcastSetup.mapConfig( hs.shardsMap(), ShardMapStore.class, hs.backupCount(),
				hs.nearCache(), properties );
		MapConfig placementsConfig = HazelcastSetup.mapConfig( hs.placementsMap(), PlacementMapStore.class,
				hs.backupCount(), hs.nearCache(), properties );
		HazelcastInstance hz = null;
		boolean owns = hs.instance() == null;
		MemberContext memberContext = null;
		try {
			if ( hs.instance() != null ) {
				hz = hs.instance();
				if ( hz.getLocalEndpoint() instanceof Member ) {
					memberContext = MemberContext.of( hz );
					memberContext.registerCatalog( key, catalog );
					warnIfBatched( hz );
				}
				addDynamicConfig( hz, shardsConfig );
				addDynamicConfig( hz, placementsConfig );
			}
			else if ( hs.client() ) {
				hz = HazelcastSetup.startClient( clientConfig, hs );
				addDynamicConfig( hz, shardsConfig );
				addDynamicConfig( hz, placementsConfig );
			}
			else {
				memberConfig.addMapConfig( shardsConfig );
				memberConfig.addMapConfig( placementsConfig );
				memberContext = MemberContext.of( memberConfig.getUserContext() );
				memberContext.registerCatalog( key, catalog );
				hz = HazelcastSetup.startMember( memberConfig, hs );
			}
			String clusterName = memberConfig != null ? memberConfig.getClusterName()
					: clientConfig != null ? clientConfig.getClusterName() : clusterNameOf( hz );
			return new HazelcastTopologyStore( hs, hz, clusterName, owns, catalog, key );
		}
		catch (RuntimeException e) {
			if ( memberContext != null ) {
				memberContext.unregisterCatalog( key, catalog );
			}
			if ( owns && hz != null ) {
				shutdown( hz );
			}
			catalog.close();
			throw e;
		}
	}

	private static String clusterNameOf(HazelcastInstance hz) {
		try {
			return hz.getConfig().getClusterName();
		}
		catch (RuntimeException e) {
			return "(handed-in client)";
		}
	}

	private static void addDynamicConfig(HazelcastInstance hz, MapConfig config) {
		if ( hz.getLocalEndpoint() instanceof Member ) {
			MapConfig existing = hz.getConfig().getMapConfigOrNull( config.getName() );
			if ( existing != null && existing.getMapStoreConfig() != null && existing.getMapStoreConfig().isEnabled() ) {
				return; // configured statically (the application's own configuration, or an earlier store)
			}
		}
		try {
			hz.getConfig().addMapConfig( config );
		}
		catch (RuntimeException e) {
			throw new TopologyException( "could not configure the topology map " + config.getName() + " on the Hazelcast "
					+ "cluster '" + clusterNameOf( hz ) + "': " + rootMessage( e ) + ". The map must be configured "
					+ "by Shardwise: remove its configuration from the cluster, or choose other names with "
					+ ShardwiseSettings.HAZELCAST_NAME_PREFIX, e );
		}
	}

	private static void warnIfBatched(HazelcastInstance hz) {
		String batching = hz.getConfig().getProperty( HazelcastSetup.INVALIDATION_BATCHING );
		if ( batching == null ) {
			batching = System.getProperty( HazelcastSetup.INVALIDATION_BATCHING );
		}
		if ( !"false".equalsIgnoreCase( batching ) ) {
			LOG.warn( "The handed-in Hazelcast member batches near-cache invalidations ({}={}): a route re-read from "
					+ "the near cache can be up to 10 s stale (cached routes are updated by events all the same). Set the "
					+ "property to false in its configuration", HazelcastSetup.INVALIDATION_BATCHING,
					batching == null ? "true (default)" : batching );
		}
	}

	// ---- events ----

	private void listen() {
		UUID placementListener = placements.addEntryListener( new MapEvents<PlacementRecord, TenantPlacement>( settings.placementsMap(),
				Records::placement, TopologyChange.PlacementChanged::new ), true );
		deregistrations.add( () -> placements.removeEntryListener( placementListener ) );
		UUID shardListener = shards.addEntryListener( new MapEvents<ShardRecord, Shard>( settings.shardsMap(),
				Records::shard, TopologyChange.ShardChanged::new ), true );
		deregistrations.add( () -> shards.removeEntryListener( shardListener ) );
		UUID lifecycle = hazelcast.getLifecycleService().addLifecycleListener( event -> {
			if ( event.getState() == LifecycleEvent.LifecycleState.MERGED ) {
				background.execute( this::afterMerge );
			}
		} );
		deregistrations.add( () -> hazelcast.getLifecycleService().removeLifecycleListener( lifecycle ) );
		UUID membership = hazelcast.getCluster().addMembershipListener( new MembershipListener() {
			@Override
			public void memberAdded(MembershipEvent event) {
			}

			@Override
			public void memberRemoved(MembershipEvent event) {
				applyInvalidation( "member " + event.getMember().getAddress() + " left the cluster" );
			}
		} );
		deregistrations.add( () -> hazelcast.getCluster().removeMembershipListener( membership ) );
		if ( member ) {
			context.register( this );
			deregistrations.add( () -> context.unregister( this ) );
		}
		else {
			UUID topicListener = topic.addMessageListener( message -> applyInvalidation( message.getMessageObject() ) );
			deregistrations.add( () -> topic.removeMessageListener( topicListener ) );
		}
	}

	/**
	 * Turns every entry event of one topology map into a {@link TopologyChange} for this store's listeners, and a
	 * cleared map into an invalidation.
	 */
	private final class MapEvents<R, M> implements EntryAddedListener<String, R>, EntryUpdatedListener<String, R>,
			EntryRemovedListener<String, R>, EntryMergedListener<String, R>, EntryLoadedListener<String, R>,
			MapClearedListener {
		private final String mapName;
		private final java.util.function.BiFunction<String, R, M> toModel;
		private final ChangeFactory<M> change;

		MapEvents(String mapName, java.util.function.BiFunction<String, R, M> toModel, ChangeFactory<M> change) {
			this.mapName = mapName;
			this.toModel = toModel;
			this.change = change;
		}

		@Override
		public void entryAdded(EntryEvent<String, R> event) {
			fire( event );
		}

		@Override
		public void entryUpdated(EntryEvent<String, R> event) {
			fire( event );
		}

		@Override
		public void entryRemoved(EntryEvent<String, R> event) {
			fire( event );
		}

		@Override
		public void entryMerged(EntryEvent<String, R> event) {
			fire( event );
		}

		@Override
		public void entryLoaded(EntryEvent<String, R> event) {
			fire( event );
		}

		@Override
		public void mapCleared(MapEvent event) {
			applyInvalidation( "the map " + mapName + " was cleared" );
		}

		private void fire(EntryEvent<String, R> event) {
			String key = event.getKey();
			R before = event.getOldValue();
			R after = event.getValue();
			listeners.fire( change.of( key, before == null ? null : toModel.apply( key, before ),
					after == null ? null : toModel.apply( key, after ) ) );
		}
	}

	@FunctionalInterface
	private interface ChangeFactory<M> {
		TopologyChange of(String key, M before, M after);
	}

	/** Reports {@code Invalidated(reason)} to this store's listeners (on this member only). */
	@Override
	public void applyInvalidation(String reason) {
		if ( !closed ) {
			listeners.fire( new TopologyChange.Invalidated( reason ) );
		}
	}

	@Override
	public String namePrefix() {
		return settings.namePrefix();
	}

	private void afterMerge() {
		try {
			LOG.info( "This member merged into another cluster after a network split: reloading the topology maps from the "
					+ "catalog {}", catalog.catalogUrl() );
			reloadFromCatalog( "split-brain merge healed" );
		}
		catch (RuntimeException e) {
			LOG.warn( "Reloading the topology from the catalog after a split-brain merge failed; the maps keep the merged "
					+ "values (higher version wins) and the local routes were dropped", e );
			applyInvalidation( "split-brain merge healed" );
		}
	}

	// ---- reads ----

	@Override
	public Optional<TenantPlacement> findPlacement(String tenantId) {
		TenantIds.validate( tenantId );
		PlacementRecord r;
		try {
			r = placements.get( tenantId );
		}
		catch (RuntimeException e) {
			throw readFailure( "read the placement of tenant " + Checks.quote( tenantId ), e );
		}
		return r == null ? Optional.empty() : Optional.of( Records.placement( tenantId, r ) );
	}

	/** Every placement, in tenant id order (pulls the whole map over the network; may be large). */
	@Override
	public List<TenantPlacement> placements() {
		List<TenantPlacement> all = new ArrayList<>();
		try {
			for ( Map.Entry<String, PlacementRecord> e : placements.entrySet() ) {
				all.add( Records.placement( e.getKey(), e.getValue() ) );
			}
		}
		catch (RuntimeException e) {
			throw readFailure( "read every placement", e );
		}
		all.sort( Comparator.comparing( TenantPlacement::tenantId ) );
		return all;
	}

	@Override
	public List<Shard> shards() {
		List<Shard> all = new ArrayList<>();
		try {
			for ( Map.Entry<String, ShardRecord> e : shards.entrySet() ) {
				all.add( Records.shard( e.getKey(), e.getValue() ) );
			}
		}
		catch (RuntimeException e) {
			throw readFailure( "read every shard", e );
		}
		all.sort( Comparator.comparing( Shard::name ) );
		return all;
	}

	@Override
	public Optional<Shard> findShard(String name) {
		Checks.notNull( name, "shard name" );
		ShardRecord r;
		try {
			r = shards.get( name );
		}
		catch (RuntimeException e) {
			throw readFailure( "read shard '" + name + "'", e );
		}
		return r == null ? Optional.empty() : Optional.of( Records.shard( name, r ) );
	}

	/** The load by shard, counted by the catalog (one grouped query) rather than by scanning the cluster. */
	@Override
	public Map<String, Long> loadByShard() {
		return catalog.loadByShard();
	}

	// ---- changes ----

	@Override
	public TenantPlacement placeIfAbsent(TenantPlacement placement) {
		TopologyStoreChecks.requireNewPlacement( placement );
		requireShard( placement );
		String tenant = placement.tenantId();
		CasOutcome outcome = cas( placements, settings.placementsMap(), tenant, 0, Records.record( placement ),
				"place tenant " + Checks.quote( tenant ) + " on shard '" + placement.shard() + "'" );
		if ( outcome.current() == null ) {
			// lost to the catalog and not in it either: cannot happen unless the tenant was removed meanwhile
			throw new TopologyException( "tenant " + Checks.quote( tenant ) + " could not be placed on shard '"
					+ placement.shard() + "': the catalog " + catalog.catalogUrl() + " refused it and holds no placement of "
					+ "it now; retry" );
		}
		return Records.placement( tenant, (PlacementRecord) outcome.current() );
	}

	@Override
	public boolean replacePlacement(long expectedVersion, TenantPlacement next) {
		Checks.notNull( next, "next" );
		TopologyStoreChecks.requireNextVersion( expectedVersion, next.version() );
		requireShard( next );
		return cas( placements, settings.placementsMap(), next.tenantId(), expectedVersion, Records.record( next ),
				"replace version " + expectedVersion + " of the placement of tenant " + Checks.quote( next.tenantId() )
						+ " (to shard '" + next.shard() + "')" ).won();
	}

	@Override
	public boolean removePlacement(String tenantId, long expectedVersion) {
		TenantIds.validate( tenantId );
		if ( expectedVersion < 1 ) {
			return false;
		}
		return cas( placements, settings.placementsMap(), tenantId, expectedVersion, null,
				"remove version " + expectedVersion + " of the placement of tenant " + Checks.quote( tenantId ) ).won();
	}

	@Override
	public void addShard(Shard shard) {
		TopologyStoreChecks.requireNewShard( shard );
		CasOutcome outcome = cas( shards, settings.shardsMap(), shard.name(), 0, Records.record( shard ),
				"add shard '" + shard.name() + "'" );
		if ( !outcome.won() ) {
			long version = outcome.current() == null ? 0 : outcome.current().version();
			throw new TopologyException( "shard '" + shard.name() + "' cannot be added: a shard of that name exists (v"
					+ version + "); use replaceShard to change it or choose another name" );
		}
	}

	@Override
	public boolean replaceShard(long expectedVersion, Shard next) {
		Checks.notNull( next, "next" );
		TopologyStoreChecks.requireNextVersion( expectedVersion, next.version() );
		return cas( shards, settings.shardsMap(), next.name(), expectedVersion, Records.record( next ),
				"replace version " + expectedVersion + " of shard '" + next.name() + "'" ).won();
	}

	@Override
	public boolean removeShard(String name, long expectedVersion) {
		Checks.notNull( name, "shard name" );
		if ( expectedVersion < 1 ) {
			return false;
		}
		return cas( shards, settings.shardsMap(), name, expectedVersion, null,
				"remove version " + expectedVersion + " of shard '" + name + "'" ).won();
	}

	private <V extends Versioned> CasOutcome cas(IMap<String, V> map, String mapName, String key, long expected,
			Versioned next, String what) {
		try {
			@SuppressWarnings({ "unchecked", "rawtypes" })
			CasOutcome outcome = (CasOutcome) map.executeOnKey( key, (com.hazelcast.map.EntryProcessor) new CasProcessor(
					mapName, expected, next ) );
			return outcome;
		}
		catch (RuntimeException e) {
			if ( isConflict( e ) ) {
				// the catalog holds a change this cluster has not seen (a split, or a write behind the cluster's back):
				// take the catalog's value into the map; the load is reported to every member's router
				LOG.info( "Could not {}: {}", what, rootMessage( e ) );
				V current = refresh( map, key );
				return new CasOutcome( false, current );
			}
			ShardwiseException cause = shardwiseCause( e );
			if ( cause instanceof UnknownShardException unknown ) {
				throw unknown;
			}
			throw new TopologyException( "could not " + what + " through the Hazelcast cluster '"
					+ clusterName + "': " + rootMessage( e ) + ". The change was not applied; "
					+ "routing goes on from the cached topology", e );
		}
	}

	private <V> V refresh(IMap<String, V> map, String key) {
		try {
			map.evict( key );
			return map.get( key );
		}
		catch (RuntimeException e) {
			throw readFailure( "reload " + Checks.quote( key ) + " from the catalog", e );
		}
	}

	private void requireShard(TenantPlacement placement) {
		boolean known;
		try {
			known = shards.containsKey( placement.shard() );
		}
		catch (RuntimeException e) {
			throw readFailure( "read shard '" + placement.shard() + "'", e );
		}
		if ( !known ) {
			List<String> names = shards().stream().map( Shard::name ).toList();
			throw TopologyStoreChecks.unknownShard( placement.tenantId(), placement.shard(), names );
		}
	}

	// ---- cluster-wide operations ----

	/**
	 * Makes every router of this topology, on every member, drop its cached routes and re-read the shards (after a
	 * rebalance or a bulk change): runs a task on every member through the {@code <prefix>.invalidations}
	 * {@code IExecutorService} and waits for each member's acknowledgement (at most
	 * {@link ShardwiseSettings#HAZELCAST_TIMEOUT}); Hazelcast clients hear it through the {@code ITopic} of the same
	 * name (without acknowledgement).
	 *
	 * @throws TopologyException naming the members that did not acknowledge in time
	 */
	@Override
	public void invalidateAll(String reason) {
		invalidateEverywhere( reason );
	}

	/** {@link #invalidateAll(String)}, returning the number of members that acknowledged. */
	public int invalidateEverywhere(String reason) {
		Checks.notBlank( reason, "reason" );
		Map<Member, Future<Integer>> futures;
		try {
			futures = executor.submitToAllMembers( new InvalidateTask( settings.namePrefix(), reason ) );
			topic.publish( reason );
		}
		catch (RuntimeException e) {
			throw new TopologyException( "could not broadcast the invalidation (" + reason + ") to the members of cluster '"
					+ clusterName + "': " + rootMessage( e ), e );
		}
		if ( !member ) {
			applyInvalidation( reason );
		}
		long deadline = System.nanoTime() + settings.timeout().toNanos();
		List<String> missing = new ArrayList<>();
		int acknowledged = 0;
		for ( Map.Entry<Member, Future<Integer>> f : futures.entrySet() ) {
			try {
				f.getValue().get( Math.max( 0, deadline - System.nanoTime() ), TimeUnit.NANOSECONDS );
				acknowledged++;
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				missing.add( f.getKey().getAddress() + " (interrupted)" );
			}
			catch (ExecutionException | TimeoutException e) {
				missing.add( f.getKey().getAddress() + " (" + ( e instanceof TimeoutException ? "no answer within "
						+ settings.timeout().toMillis() + " ms" : rootMessage( e ) ) + ")" );
			}
		}
		if ( !missing.isEmpty() ) {
			throw new TopologyException( "the invalidation (" + reason + ") was acknowledged by " + acknowledged + " of "
					+ futures.size() + " members of cluster '" + clusterName + "'; not by "
					+ String.join( ", ", missing ) + ". Those members drop their routes when they leave or by TTL; retry" );
		}
		return acknowledged;
	}

	/**
	 * Replaces both maps' contents by the catalog's (evict everything, load everything) and then invalidates every
	 * router. Used after a split-brain merge; also for a catalog changed behind the cluster's back. Can take long with
	 * many placements.
	 */
	public void reloadFromCatalog(String reason) {
		try {
			shards.evictAll();
			placements.evictAll();
			shards.loadAll( true );
			placements.loadAll( true );
		}
		catch (RuntimeException e) {
			throw new TopologyException( "could not reload the topology from the catalog " + catalog.catalogUrl() + " ("
					+ reason + "): " + rootMessage( e ), e );
		}
		invalidateEverywhere( reason + ": topology reloaded from the catalog" );
		reloads.incrementAndGet();
	}

	/** How many times this store has reloaded the maps from the catalog (after merges, or when asked). */
	public long catalogReloads() {
		return reloads.get();
	}

	// ---- lifecycle ----

	@Override
	public Subscription subscribe(TopologyListener listener) {
		return listeners.add( listener );
	}

	/** The Hazelcast instance (for tools and tests; do not change the topology maps directly). */
	public HazelcastInstance hazelcastInstance() {
		return hazelcast;
	}

	/** The catalog behind the maps. */
	public JdbcCatalogTopologyStore catalog() {
		return catalog;
	}

	/** Stops listening; shuts the Hazelcast instance down if the store started it; closes the catalog pool. */
	@Override
	public void close() {
		if ( closed ) {
			return;
		}
		closed = true;
		listeners.clear();
		background.shutdownNow();
		if ( hazelcast.getLifecycleService().isRunning() ) {
			for ( Runnable r : deregistrations ) {
				try {
					r.run();
				}
				catch (RuntimeException e) {
					LOG.debug( "Could not remove a Hazelcast listener while closing", e );
				}
			}
		}
		if ( ownsInstance ) {
			shutdown( hazelcast );
		}
		if ( context != null ) {
			context.unregisterCatalog( catalogKey, catalog );
			if ( ownsInstance ) {
				context.closeOwnedCatalogs();
			}
		}
		catalog.close();
	}

	private static void shutdown(HazelcastInstance hz) {
		try {
			hz.shutdown();
		}
		catch (RuntimeException e) {
			LOG.warn( "Could not shut the Hazelcast instance down cleanly", e );
		}
	}

	@Override
	public String toString() {
		return "HazelcastTopologyStore[cluster=" + ( closed ? "?" : clusterName ) + ", "
				+ ( member ? "member" : "client" ) + ", maps=" + settings.shardsMap() + ", " + settings.placementsMap()
				+ ", catalog=" + catalog.catalogUrl() + ( closed ? ", closed" : "" ) + "]";
	}

	// ---- errors ----

	private TopologyException readFailure(String operation, RuntimeException e) {
		return new TopologyException( "could not " + operation + " from the Hazelcast cluster '"
				+ clusterName + "' (maps " + settings.shardsMap() + ", " + settings.placementsMap()
				+ ", catalog " + catalog.catalogUrl() + "): " + rootMessage( e ), e );
	}

	static boolean isConflict(Throwable e) {
		for ( Throwable t = e; t != null; t = t.getCause() ) {
			if ( t instanceof CatalogConflictException ) {
				return true;
			}
			if ( t instanceof UndefinedErrorCodeException u
					&& CatalogConflictException.class.getName().equals( u.getOriginClassName() ) ) {
				return true;
			}
			if ( t.getCause() == t ) {
				break;
			}
		}
		return false;
	}

	private static ShardwiseException shardwiseCause(Throwable e) {
		for ( Throwable t = e; t != null; t = t.getCause() ) {
			if ( t instanceof ShardwiseException s ) {
				return s;
			}
			if ( t.getCause() == t ) {
				break;
			}
		}
		return null;
	}

	static String rootMessage(Throwable e) {
		Throwable t = e;
		while ( t.getCause() != null && t.getCause() != t && ( t.getMessage() == null || t instanceof ExecutionException ) ) {
			t = t.getCause();
		}
		String message = t.getMessage();
		return message == null ? t.getClass().getName() : message;
	}
}
