package io.shardwise;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;

import io.shardwise.internal.ShardHandle;
import io.shardwise.internal.ShardwiseRuntime;
import io.shardwise.internal.hibernate.ShardwiseConnectionProvider;
import io.shardwise.spi.TopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

/**
 * The Shardwise API of one persistence unit: provisioning, placements, shards, schema deployment and read-only
 * sessions.
 *
 * <pre>{@code
 * Shardwise shardwise = Shardwise.of(emf);
 * shardwise.provision("acme", TenantTier.SMALL);
 * try (Session s = shardwise.openReadOnlySession("acme")) { ... }   // served by a replica of acme's shard
 * }</pre>
 */
public final class Shardwise {
	private final SessionFactory sessionFactory;
	private final ShardwiseRuntime runtime;

	private Shardwise(SessionFactory sessionFactory, ShardwiseRuntime runtime) {
		this.sessionFactory = sessionFactory;
		this.runtime = runtime;
	}

	/**
	 * The Shardwise API of an {@code EntityManagerFactory} (or Hibernate {@code SessionFactory}).
	 *
	 * @throws ShardwiseConfigurationException if Shardwise does not route that persistence unit
	 */
	public static Shardwise of(EntityManagerFactory emf) {
		SessionFactoryImplementor sf = emf.unwrap( SessionFactoryImplementor.class );
		MultiTenantConnectionProvider<?> provider = sf.getServiceRegistry().getService( MultiTenantConnectionProvider.class );
		if ( provider instanceof ShardwiseConnectionProvider p ) {
			return new Shardwise( sf, p.runtime() );
		}
		throw new ShardwiseConfigurationException( "persistence unit '" + sf.getName() + "' is not routed by Shardwise: "
				+ "its multi-tenant connection provider is " + ( provider == null ? "not set" : provider.getClass().getName() )
				+ "; set " + ShardwiseSettings.TOPOLOGY_FILE + " or " + ShardwiseSettings.TOPOLOGY_STORE + " in persistence.xml" );
	}

	/**
	 * Places a new tenant with the configured placement strategy and records the placement in the topology store;
	 * returns the existing placement if the tenant has one (whatever its tier).
	 */
	public TenantPlacement provision(String tenantId, TenantTier tier) {
		return runtime.provision( tenantId, tier );
	}

	/** The tenant's placement, if it has one. */
	public Optional<TenantPlacement> placement(String tenantId) {
		return runtime.placement( tenantId );
	}

	/** The shards of the topology, in name order. */
	public List<Shard> shards() {
		return runtime.handles().stream().map( ShardHandle::shard ).toList();
	}

	/** Every placement in the topology store (may be large). */
	public List<TenantPlacement> placements() {
		return runtime.store().placements();
	}

	/** The topology store, for changes (shards, moves) by compare-and-set. */
	public TopologyStore store() {
		return runtime.store();
	}

	/**
	 * Brings the schema of a shard up to date with the persistence unit's mapping ({@code update}: creates what is
	 * missing). Run it for a new shard before setting it ACTIVE.
	 */
	public void deploySchema(String shard) {
		runtime.schemaDeployer().deploy( shard, "update" );
	}

	/**
	 * Applies a schema action to one shard: {@code create}, {@code create-only}, {@code update}, {@code validate},
	 * {@code drop} or {@code drop-and-create}.
	 */
	public void applySchema(String shard, String action) {
		runtime.schemaDeployer().deploy( shard, action );
	}

	/**
	 * Opens a read-only session of the tenant, served by a replica of its shard (the primary when the shard has none).
	 * The JPA hint {@code org.hibernate.readOnly} on {@code createEntityManager} does not reach the connection
	 * provider, so JPA code uses this instead; the returned {@link Session} is an {@link EntityManager}.
	 */
	public Session openReadOnlySession(String tenantId) {
		return sessionFactory.withOptions().tenantIdentifier( (Object) TenantIds.validate( tenantId ) ).readOnly( true ).openSession();
	}

	/** Runs {@code work} in a read-only session of the tenant (see {@link #openReadOnlySession}) and closes it. */
	public <T> T readOnly(String tenantId, Function<EntityManager, T> work) {
		try ( Session session = openReadOnlySession( tenantId ) ) {
			return work.apply( session );
		}
	}

	/** Opens a read-write session of the tenant; equivalent to {@code emf.createEntityManager(Map.of("org.hibernate.tenantId", t))}. */
	public Session openSession(String tenantId) {
		return sessionFactory.withOptions().tenantIdentifier( (Object) TenantIds.validate( tenantId ) ).openSession();
	}

	/** Drops every cached route, or one tenant's: the next session re-reads the placement from the store. */
	public void invalidateRoutes(String tenantId) {
		if ( tenantId == null ) {
			runtime.invalidateAll();
		}
		else {
			runtime.invalidate( tenantId );
		}
	}

	/** Counts of the local route cache: requests, hits, size. */
	public Map<String, Long> cacheStatistics() {
		return Map.of( "requests", runtime.cache().requests(), "hits", runtime.cache().hits(), "size", runtime.cache().size() );
	}

	// ---------------------------------------------------------------- fault isolation

	/**
	 * The durable queue of deferred writes for tenants whose shard is down; see {@link DeferredWrites}. Created in the
	 * catalog database on first use (needs the {@code jdbc} topology store or {@code shardwise.catalog.url}).
	 */
	public DeferredWrites deferred() {
		return runtime.deferred().sessions( this::openSession );
	}

	/**
	 * Registers a listener for shard changes and circuit-breaker transitions on this member; close the returned handle
	 * to remove it.
	 */
	public AutoCloseable addEventListener(ShardEventListener listener) {
		return runtime.faultTolerance().addListener( listener );
	}

	/** Health-checks every shard pool now and waits for the results (the scheduled checks do it in the background). */
	public void checkHealth() {
		runtime.checkHealth();
	}

	/** The circuit-breaker state of every shard pool, by pool name ({@code shardwise-<shard>-<role>[-<n>]}). */
	public Map<String, String> breakerStates() {
		Map<String, String> states = new java.util.TreeMap<>();
		runtime.guards().forEach( g -> states.put( g.poolName(), g.state().name() ) );
		return states;
	}

	/**
	 * Whether a failure (or one of its causes) means the tenant's shard could not be reached: an open breaker
	 * ({@link ShardUnavailableException}), a full bulkhead ({@link ShardSaturatedException}) or an OFFLINE shard. Such
	 * work was not done and can be retried later or {@linkplain #deferred() deferred}.
	 */
	public static boolean isShardUnavailable(Throwable failure) {
		for ( Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause() ) {
			if ( t instanceof ShardUnavailableException || t instanceof ShardSaturatedException || t instanceof ShardOfflineException ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Cross-shard queries over this persistence unit's shards: the same query on every shard (or on the shards of some
	 * tenants) in parallel, with the rows merged; see {@link io.shardwise.query.CrossShardQueries}.
	 */
	public io.shardwise.query.CrossShardQueries crossShard() {
		return io.shardwise.query.CrossShardQueries.of( sessionFactory );
	}

	/** The shard Hibernate's own tooling reaches (the first serving shard by name). */
	public String defaultShard() {
		return runtime.defaultShard();
	}
}
