package io.shardwise.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shardwise.MalformedTenantIdException;
import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.TenantIds;
import io.shardwise.TenantUnavailableException;
import io.shardwise.TopologyException;
import io.shardwise.UnknownShardException;
import io.shardwise.UnknownTenantException;
import io.shardwise.internal.placement.PlacementStrategies;
import io.shardwise.metrics.MicrometerShardMetricsTracker;
import io.shardwise.spi.PlacementStrategy;
import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.spi.TopologyChange;
import io.shardwise.spi.TopologyListener;
import io.shardwise.spi.TopologyStore;
import io.shardwise.store.TopologyStores;
import io.shardwise.topology.PlacementStatus;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

/**
 * The routing engine of one persistence unit: topology store, local route cache, one {@link ShardHandle} (pools)
 * per shard, placement of new tenants, and schema deployment. Created by the connection provider at boot.
 */
public final class ShardwiseRuntime implements TopologyListener, AutoCloseable {
	private static final Logger LOG = LoggerFactory.getLogger( ShardwiseRuntime.class );

	private final ShardwiseConfig config;
	private final TopologyStore store;
	private final boolean ownsStore;
	private final PlacementStrategy strategy;
	private final ShardMetricsTracker metrics;
	private final PoolFactory poolFactory;
	private final PoolRetirement retirement;
	private final RouteCache cache;
	private final CacheHealth health;
	private final ConcurrentHashMap<String, ShardHandle> handles = new ConcurrentHashMap<>();
	private final ThreadLocal<String> pinnedShard = new ThreadLocal<>();
	private final TopologyStore.Subscription subscription;
	private final FaultTolerance faultTolerance;
	private final Map<String, Object> settings;
	private volatile DeferredQueue deferred;
	private volatile SchemaDeployer schemaDeployer;
	private final ConcurrentHashMap<Class<?>, Object> extensions = new ConcurrentHashMap<>();
	private volatile boolean closed;

	public ShardwiseRuntime(ShardwiseConfig config, TopologyStore store, boolean ownsStore, PlacementStrategy strategy,
			ShardMetricsTracker metrics, LongSupplier nanoClock) {
		this( config, store, ownsStore, strategy, metrics, nanoClock, Map.of() );
	}

	/**
	 * @param settings the persistence-unit settings, for fault tolerance ({@link FaultToleranceConfig}), deferred writes
	 * and the cache health check ({@link CacheHealth.Policy})
	 */
	public ShardwiseRuntime(ShardwiseConfig config, TopologyStore store, boolean ownsStore, PlacementStrategy strategy,
			ShardMetricsTracker metrics, LongSupplier nanoClock, Map<String, Object> settings) {
		this.settings = settings;
		this.faultTolerance = new FaultTolerance( FaultToleranceConfig.from( settings ), metrics );
		this.config = config;
		this.store = store;
		this.ownsStore = ownsStore;
		this.strategy = strategy;
		this.metrics = metrics;
		this.poolFactory = new PoolFactory( config.poolDefaults(), metrics );
		this.retirement = new PoolRetirement( config.poolDefaults().maxLifetime() );
		this.cache = new RouteCache( config.cacheTtl(), nanoClock );
		this.health = new CacheHealth( CacheHealth.Policy.from( settings ), cache::requests, cache::hits, nanoClock );
		metrics.bindRoutingCache( cache::requests, cache::hits, cache::size );
		this.subscription = store.subscribe( this );
		try {
			for ( Shard shard : store.shards() ) {
				handles.computeIfAbsent( shard.name(), n -> newHandle( shard ) );
			}
		}
		catch (RuntimeException e) {
			close();
			throw e;
		}
		faultTolerance.startHealthChecks( this::guards );
		LOG.info( "Shardwise routing started: {} shards ({}), placement strategy {}, cache TTL {}", handles.size(),
				describeShards(), config.placementStrategy(), config.cacheTtl() );
	}

	/** Builds the runtime from persistence-unit settings. */
	public static ShardwiseRuntime start(Map<String, Object> settings) {
		ShardwiseConfig config = ShardwiseConfig.from( settings );
		PlacementStrategy strategy = PlacementStrategies.create( config.placementStrategy(), config.virtualNodes() );
		ShardMetricsTracker metrics = metricsFrom( settings );
		boolean handedIn = settings.get( ShardwiseSettings.TOPOLOGY_STORE ) instanceof TopologyStore;
		TopologyStore store = TopologyStores.create( settings );
		try {
			return new ShardwiseRuntime( config, store, !handedIn, strategy, metrics, System::nanoTime, settings );
		}
		catch (RuntimeException e) {
			if ( !handedIn ) {
				store.close();
			}
			throw e;
		}
	}

	static ShardMetricsTracker metricsFrom(Map<String, Object> settings) {
		Object value = settings.get( ShardwiseSettings.METER_REGISTRY );
		if ( value instanceof ShardMetricsTracker t ) {
			return t;
		}
		Object unitName = settings.get( org.hibernate.cfg.PersistenceSettings.PERSISTENCE_UNIT_NAME );
		String unit = unitName == null || unitName.toString().isBlank() ? "default" : unitName.toString().trim();
		if ( value instanceof io.micrometer.core.instrument.MeterRegistry r ) {
			return MicrometerShardMetricsTracker.forUnit( r, unit );
		}
		String name = value == null ? "global" : value.toString().trim();
		return switch ( name ) {
			case "", "global" -> MicrometerShardMetricsTracker.forUnit( io.micrometer.core.instrument.Metrics.globalRegistry, unit );
			case "none" -> ShardMetricsTracker.NOOP;
			default -> throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.METER_REGISTRY
					+ "' must be 'global', 'none', a MeterRegistry or a ShardMetricsTracker instance, but was " + Checks.quote( value ) );
		};
	}

	private ShardHandle newHandle(Shard shard) {
		return new ShardHandle( shard, poolFactory, metrics, retirement, faultTolerance );
	}

	// ---------------------------------------------------------------- routing (hot path)

	/** A connection of the tenant's primary (read-only if its shard or placement does not take writes). */
	public Connection connection(Object tenantId) throws SQLException {
		String t = tenantId( tenantId );
		long r = route( t );
		if ( r == RouteCache.MISS ) {
			return shardSessionConnection( t );
		}
		PlacementStatus status = RouteCache.status( r );
		if ( status == PlacementStatus.SUSPENDED ) {
			throw suspended( t );
		}
		return cache.shard( r ).writeConnection( status.writable() );
	}

	/** A read-only connection of a replica of the tenant's shard (the primary when it has none). */
	public Connection readOnlyConnection(Object tenantId) throws SQLException {
		String t = tenantId( tenantId );
		long r = route( t );
		if ( r == RouteCache.MISS ) {
			return shardSessionConnection( t );
		}
		if ( RouteCache.status( r ) == PlacementStatus.SUSPENDED ) {
			throw suspended( t );
		}
		return cache.shard( r ).readConnection();
	}

	private String tenantId(Object tenantId) {
		if ( tenantId instanceof String t ) {
			return t;
		}
		metrics.routingError( "malformed-tenant" );
		throw new MalformedTenantIdException( "tenant id must be a String, but was "
				+ ( tenantId == null ? "null" : tenantId.getClass().getName() + " " + Checks.quote( tenantId ) ) );
	}

	/** The tenant's route word (see {@link RouteCache}), or {@link RouteCache#MISS} for a reserved shard-session id. */
	private long route(String tenantId) {
		long r = cache.get( tenantId );
		return r != RouteCache.MISS ? r : load( tenantId );
	}

	// ---------------------------------------------------------------- routing (miss path)

	/** The route of a tenant, or {@link RouteCache#MISS} for a reserved shard-session id (see {@link ShardSessionIds}). */
	private long load(String tenantId) {
		if ( ShardSessionIds.isShardSession( tenantId ) ) {
			// a cross-shard session is not a tenant lookup: it must not lower the hit ratio (nor trigger a pull)
			cache.uncountRequest();
			return RouteCache.MISS;
		}
		if ( health.reloadDue() ) {
			reloadTopology( "route cache " + health.describe() );
			long r = cache.get( tenantId );
			if ( r != RouteCache.MISS ) {
				return r;
			}
		}
		if ( io.shardwise.ShardwiseTenantResolver.NO_TENANT.equals( tenantId ) ) {
			metrics.routingError( "no-tenant" );
			throw io.shardwise.ShardwiseTenantResolver.noTenant();
		}
		try {
			TenantIds.validate( tenantId );
		}
		catch (MalformedTenantIdException e) {
			metrics.routingError( "malformed-tenant" );
			throw e;
		}
		Optional<TenantPlacement> found = store.findPlacement( tenantId );
		TenantPlacement placement;
		if ( found.isPresent() ) {
			placement = found.get();
		}
		else if ( config.autoProvision() ) {
			placement = provision( tenantId, config.defaultTier() );
		}
		else {
			metrics.routingError( "unknown-tenant" );
			throw new UnknownTenantException( "tenant " + Checks.quote( tenantId ) + " has no placement in the topology ("
					+ handles.size() + " shards: " + describeShards() + "): provision it with "
					+ "Shardwise.of(emf).provision(\"" + tenantId + "\", TenantTier.SMALL), or set "
					+ ShardwiseSettings.AUTO_PROVISION + "=true to place unknown tenants on first use" );
		}
		return cache.put( placement, handleFor( placement ) );
	}

	/**
	 * A read-only connection for a session pinned to a shard (cross-shard queries): the shard's analytics endpoint,
	 * else a replica, else the primary. Never cached: such ids reach here through the miss path only.
	 */
	private Connection shardSessionConnection(String id) throws SQLException {
		return requireHandle( ShardSessionIds.shardOf( id ) ).analyticsConnection();
	}

	private ShardHandle handleFor(TenantPlacement placement) {
		ShardHandle handle = handles.get( placement.shard() );
		if ( handle != null ) {
			return handle;
		}
		// a shard added behind our back (a store that does not report changes): pick it up
		Optional<Shard> shard = store.findShard( placement.shard() );
		if ( shard.isPresent() ) {
			return handles.computeIfAbsent( shard.get().name(), n -> newHandle( shard.get() ) );
		}
		metrics.routingError( "unknown-shard" );
		throw new UnknownShardException( "tenant " + Checks.quote( placement.tenantId() ) + " is placed on shard '"
				+ placement.shard() + "' (placement v" + placement.version() + "), which is not in the topology (shards: "
				+ describeShards() + "): add the shard to the topology or move the tenant to an existing shard" );
	}

	private TenantUnavailableException suspended(String tenantId) {
		metrics.routingError( "tenant-suspended" );
		TenantPlacement p = cache.peek( tenantId );
		return new TenantUnavailableException( "tenant " + Checks.quote( tenantId ) + " is SUSPENDED"
				+ ( p == null ? "" : " on shard '" + p.shard() + "' (placement v" + p.version() + ")" )
				+ ": set its placement ACTIVE to serve it again" );
	}

	// ---------------------------------------------------------------- any connection (boot, schema tooling)

	/**
	 * A connection for work that belongs to no tenant: Hibernate's boot-time metadata access and schema tooling.
	 * Goes to the shard pinned by {@link #withPinnedShard}, else to the first serving shard in name order.
	 */
	public Connection anyConnection() throws SQLException {
		String pinned = pinnedShard.get();
		if ( pinned != null ) {
			return requireHandle( pinned ).adminConnection();
		}
		return requireHandle( defaultShard() ).adminConnection();
	}

	/** The shard Hibernate's own tooling reaches through {@link #anyConnection()}. */
	public String defaultShard() {
		return handles.values().stream()
				.filter( h -> h.shard().status().serves() )
				.map( ShardHandle::name )
				.min( Comparator.naturalOrder() )
				.orElseThrow( () -> new ShardwiseException( "no shard serves connections (shards: " + describeShards()
						+ "): set at least one shard ACTIVE, READ_ONLY or DRAINING" ) );
	}

	/** Runs {@code work} with {@link #anyConnection()} pointing at {@code shard} on this thread. */
	public <T> T withPinnedShard(String shard, Supplier<T> work) {
		requireHandle( shard );
		String previous = pinnedShard.get();
		pinnedShard.set( shard );
		try {
			return work.get();
		}
		finally {
			if ( previous == null ) {
				pinnedShard.remove();
			}
			else {
				pinnedShard.set( previous );
			}
		}
	}

	public ShardHandle requireHandle(String shard) {
		ShardHandle h = handles.get( shard );
		if ( h == null ) {
			throw new UnknownShardException( "shard " + Checks.quote( shard ) + " is not in the topology (shards: "
					+ describeShards() + ")" );
		}
		return h;
	}

	// ---------------------------------------------------------------- provisioning

	/**
	 * Places a new tenant, or returns its existing placement. Concurrent calls for the same tenant agree on one
	 * placement (the store's placeIfAbsent decides).
	 */
	public TenantPlacement provision(String tenantId, TenantTier tier) {
		TenantIds.validate( tenantId );
		Checks.notNull( tier, "tier" );
		Optional<TenantPlacement> existing = store.findPlacement( tenantId );
		if ( existing.isPresent() ) {
			return existing.get();
		}
		List<Shard> shards = store.shards();
		List<Shard> candidates = shards.stream().filter( s -> s.status().acceptsNewTenants() )
				.sorted( Comparator.comparing( Shard::name ) ).toList();
		if ( candidates.isEmpty() ) {
			throw new TopologyException( "cannot place tenant " + Checks.quote( tenantId ) + ": no shard accepts new tenants"
					+ " (shards: " + shards.stream().map( s -> s.name() + " " + s.status() ).collect( Collectors.joining( ", " ) )
					+ "); add a shard or set one ACTIVE" );
		}
		Map<String, Long> load = strategy instanceof io.shardwise.internal.placement.ConsistentHashPlacement
				? Map.of() : store.loadByShard();
		String chosen = strategy.choose( tenantId, tier, candidates, load );
		if ( candidates.stream().noneMatch( s -> s.name().equals( chosen ) ) ) {
			throw new TopologyException( "placement strategy " + strategy.getClass().getName() + " chose shard "
					+ Checks.quote( chosen ) + " for tenant " + Checks.quote( tenantId ) + ", which is not one of the candidates "
					+ candidates.stream().map( Shard::name ).toList() );
		}
		TenantPlacement placed = store.placeIfAbsent( TenantPlacement.of( tenantId, chosen, tier ) );
		cache.put( placed, handleFor( placed ) );
		return placed;
	}

	/** The tenant's placement, from the cache or the store. */
	public Optional<TenantPlacement> placement(String tenantId) {
		TenantIds.validate( tenantId );
		TenantPlacement cached = cache.placement( tenantId );
		if ( cached != null ) {
			return Optional.of( cached );
		}
		Optional<TenantPlacement> p = store.findPlacement( tenantId );
		p.ifPresent( placement -> {
			ShardHandle h = handles.get( placement.shard() );
			if ( h != null ) {
				cache.put( placement, h );
			}
		} );
		return p;
	}

	// ---------------------------------------------------------------- topology changes

	@Override
	public void onChange(TopologyChange change) {
		if ( closed ) {
			return;
		}
		if ( change instanceof TopologyChange.PlacementChanged pc ) {
			if ( pc.after() == null ) {
				cache.remove( pc.tenantId() );
			}
			else {
				ShardHandle h = handles.get( pc.after().shard() );
				if ( h == null ) {
					cache.remove( pc.tenantId() );
				}
				else {
					cache.put( pc.after(), h );
				}
			}
		}
		else if ( change instanceof TopologyChange.ShardChanged sc ) {
			applyShard( sc.name(), sc.after() );
		}
		else if ( change instanceof TopologyChange.Invalidated inv ) {
			LOG.info( "Topology invalidated ({}): dropping {} cached routes and re-reading shards", inv.reason(), cache.size() );
			cache.clear();
			resyncShards();
		}
	}

	private void applyShard(String name, Shard after) {
		if ( after == null ) {
			ShardHandle removed = handles.remove( name );
			cache.removeShard( name );
			if ( removed != null ) {
				LOG.info( "Shard '{}' left the topology: closing its pools once in-flight work ends", name );
				Shard before = removed.shard();
				removed.close();
				metrics.shardRemoved( name );
				faultTolerance.fire( new io.shardwise.ShardEvent.ShardRemoved( name, before ) );
			}
			return;
		}
		io.shardwise.ShardEvent[] event = new io.shardwise.ShardEvent[1];
		handles.compute( name, (n, existing) -> {
			if ( existing == null ) {
				LOG.info( "Shard '{}' joined the topology: {}", n, after );
				event[0] = new io.shardwise.ShardEvent.ShardAdded( n, after );
				return newHandle( after );
			}
			Shard before = existing.shard();
			if ( before.version() < after.version() ) {
				boolean replaced = existing.update( after );
				if ( replaced ) {
					LOG.info( "Shard '{}' v{} -> v{}: pools re-opened ({}); the old ones retire once their connections are returned",
							n, before.version(), after.version(), after );
				}
				event[0] = new io.shardwise.ShardEvent.ShardUpdated( n, before, after, replaced );
			}
			return existing;
		} );
		if ( event[0] != null ) {
			faultTolerance.fire( event[0] );
		}
	}

	/** Re-reads every shard from the store and applies the differences. */
	public void resyncShards() {
		List<Shard> shards = store.shards();
		for ( Shard s : shards ) {
			applyShard( s.name(), s );
		}
		for ( String name : new ArrayList<>( handles.keySet() ) ) {
			if ( shards.stream().noneMatch( s -> s.name().equals( name ) ) ) {
				applyShard( name, null );
			}
		}
	}

	/**
	 * Drops every cached route, re-reads the shards and pulls every placement into the cache, synchronously (when the
	 * cache's hit ratio dropped below its minimum, see {@link CacheHealth}).
	 */
	public void reloadTopology(String reason) {
		try {
			List<TenantPlacement> all;
			try {
				all = store.placements();
			}
			catch (RuntimeException e) {
				LOG.warn( "Could not pull the whole topology ({}): routing goes on from the {} cached routes", reason,
						cache.size(), e );
				return;
			}
			LOG.warn( "Pulled the whole topology ({}): replacing {} cached routes", reason, cache.size() );
			onChange( new TopologyChange.Invalidated( reason ) );
			int loaded = 0;
			for ( TenantPlacement p : all ) {
				ShardHandle h = handles.get( p.shard() );
				if ( h != null ) {
					cache.put( p, h );
					loaded++;
				}
			}
			LOG.info( "Topology pulled: {} shards, {} placements cached", handles.size(), loaded );
		}
		finally {
			health.restart();
		}
	}

	/** The cache health check (hit ratio over a sliding window). */
	public CacheHealth cacheHealth() {
		return health;
	}

	/** Drops every cached route (they are re-read from the store on next use). */
	public void invalidateAll() {
		cache.clear();
	}

	/** Drops one tenant's cached route. */
	public void invalidate(String tenantId) {
		cache.remove( tenantId );
	}

	// ---------------------------------------------------------------- schema

	public void attachSchemaDeployer(SchemaDeployer deployer) {
		this.schemaDeployer = deployer;
	}

	public SchemaDeployer schemaDeployer() {
		SchemaDeployer d = schemaDeployer;
		if ( d == null ) {
			throw new ShardwiseException( "schema deployment is not available: the persistence unit has not finished booting" );
		}
		return d;
	}

	// ---------------------------------------------------------------- extensions

	/**
	 * The extension of {@code type} bound to this runtime (for example the cross-shard query engine), created on
	 * first use. Extensions that are {@link AutoCloseable} are closed with the runtime.
	 */
	public <T> T extension(Class<T> type, java.util.function.Function<ShardwiseRuntime, ? extends T> factory) {
		if ( closed ) {
			throw new ShardwiseException( "the Shardwise runtime is closed (its EntityManagerFactory was closed)" );
		}
		return type.cast( extensions.computeIfAbsent( type, t -> factory.apply( this ) ) );
	}

	// ---------------------------------------------------------------- accessors

	public TopologyStore store() {
		return store;
	}

	public ShardwiseConfig config() {
		return config;
	}

	public RouteCache cache() {
		return cache;
	}

	public List<ShardHandle> handles() {
		return handles.values().stream().sorted( Comparator.comparing( ShardHandle::name ) ).toList();
	}

	public FaultTolerance faultTolerance() {
		return faultTolerance;
	}

	/** Every current pool guard (breaker) of every shard. */
	public List<PoolGuard> guards() {
		List<PoolGuard> all = new ArrayList<>();
		for ( ShardHandle h : handles.values() ) {
			all.addAll( h.guards() );
		}
		return all;
	}

	/** Health-checks every pool now and waits for the results (the scheduled checks do the same in the background). */
	public void checkHealth() {
		faultTolerance.checkNow( guards() );
	}

	/** The deferred-write queue, created on first use in the catalog database. */
	public DeferredQueue deferred() {
		DeferredQueue q = deferred;
		if ( q == null ) {
			synchronized ( this ) {
				q = deferred;
				if ( q == null ) {
					if ( closed ) {
						throw new ShardwiseException( "Shardwise routing is closed" );
					}
					q = DeferredQueue.start( this, settings );
					deferred = q;
				}
			}
		}
		return q;
	}

	public String describeShards() {
		return handles.values().stream().sorted( Comparator.comparing( ShardHandle::name ) )
				.map( h -> h.name() + " " + h.shard().status() ).collect( Collectors.joining( ", " ) );
	}

	@Override
	public void close() {
		if ( closed ) {
			return;
		}
		closed = true;
		for ( Object extension : extensions.values() ) {
			if ( extension instanceof AutoCloseable c ) {
				try {
					c.close();
				}
				catch (Exception e) {
					LOG.warn( "Could not close {}", extension.getClass().getName(), e );
				}
			}
		}
		extensions.clear();
		faultTolerance.close();
		DeferredQueue q = deferred;
		if ( q != null ) {
			q.close();
		}
		try {
			subscription.close();
		}
		catch (RuntimeException e) {
			LOG.warn( "Could not unsubscribe from the topology store", e );
		}
		handles.values().forEach( h -> h.dataSources().forEach( com.zaxxer.hikari.HikariDataSource::close ) );
		handles.clear();
		retirement.close();
		cache.clear();
		metrics.close();
		if ( ownsStore ) {
			store.close();
		}
	}

	/** Deploys the persistence unit's schema to one shard. */
	public interface SchemaDeployer {
		/**
		 * @param shard the shard
		 * @param action a Hibernate schema action name: create, create-only, update, validate, drop, drop-and-create
		 */
		void deploy(String shard, String action);
	}
}
