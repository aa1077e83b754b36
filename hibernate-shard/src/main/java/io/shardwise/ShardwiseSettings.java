package io.shardwise;

/**
 * Every setting Shardwise reads, with its default. Set them as {@code <property>} elements in persistence.xml (or in
 * the properties map given to {@code Persistence.createEntityManagerFactory}). Durations accept ISO-8601
 * ({@code PT30S}) or a number with a unit: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}.
 * <p>
 * Setting {@link #TOPOLOGY_STORE} or {@link #TOPOLOGY_FILE} is enough to switch Shardwise on: it installs its
 * multi-tenant connection provider and tenant resolver unless {@code hibernate.multi_tenant_connection_provider} or
 * {@code hibernate.tenant_identifier_resolver} name others.
 */
public final class ShardwiseSettings {
	private ShardwiseSettings() {
	}

	/** Prefix of every Shardwise setting. */
	public static final String PREFIX = "shardwise.";

	// ---- topology store ----

	/**
	 * Which topology store to use: {@code file} (static JSON/YAML file), {@code jdbc} (durable catalog database),
	 * {@code hazelcast} (with the hazelcast-topology module), or the class name of a
	 * {@link io.shardwise.spi.TopologyStoreProvider}. A {@link io.shardwise.spi.TopologyStore} instance may also be
	 * handed in by code. Default: {@code file} when {@link #TOPOLOGY_FILE} is set, else required.
	 */
	public static final String TOPOLOGY_STORE = "shardwise.topology.store";

	/**
	 * The topology file for the {@code file} store: a {@code .json}, {@code .yaml} or {@code .yml} file, found on the
	 * class path first ({@code classpath:} prefix optional), then on the file system. No default.
	 */
	public static final String TOPOLOGY_FILE = "shardwise.topology.file";

	/** JDBC URL of the catalog database for the {@code jdbc} store. Required for that store. */
	public static final String CATALOG_URL = "shardwise.catalog.url";

	/** User of the catalog database. Default: empty. */
	public static final String CATALOG_USER = "shardwise.catalog.user";

	/** Password of the catalog database; may be a {@code ${ENV_VAR}} reference. Default: empty. Never logged. */
	public static final String CATALOG_PASSWORD = "shardwise.catalog.password";

	/** Prefix of the catalog tables ({@code <prefix>shard}, {@code <prefix>tenant}). Default: {@code shardwise_}. */
	public static final String CATALOG_TABLE_PREFIX = "shardwise.catalog.table-prefix";

	/** Whether the {@code jdbc} store creates its tables when they are missing. Default: {@code true}. */
	public static final String CATALOG_CREATE_TABLES = "shardwise.catalog.create-tables";

	/** Maximum connections of the catalog pool. Default: {@code 5}. */
	public static final String CATALOG_POOL_SIZE = "shardwise.catalog.pool-size";

	// ---- routing cache ----

	/**
	 * How long a cached placement is trusted without hearing of a change. Changes reported by the store evict at once;
	 * the TTL bounds staleness for changes made behind the store's back. Default: {@code 60s}.
	 */
	public static final String CACHE_TTL = "shardwise.cache.ttl";

	// ---- tenants and placement ----

	/** Tenant used when a session is opened with no tenant in {@link TenantContext}. Default: none (an error). */
	public static final String DEFAULT_TENANT = "shardwise.tenant.default";

	/**
	 * Whether a tenant without placement is placed on first use (with {@link #PROVISIONING_DEFAULT_TIER}).
	 * Default: {@code false}: an unknown tenant is an {@link UnknownTenantException}.
	 */
	public static final String AUTO_PROVISION = "shardwise.provisioning.auto";

	/** Tier of auto-provisioned tenants: SMALL, MEDIUM or LARGE. Default: {@code SMALL}. */
	public static final String PROVISIONING_DEFAULT_TIER = "shardwise.provisioning.default-tier";

	/**
	 * How new tenants are placed: {@code consistent-hash} (a ring with virtual nodes over the ACTIVE shards, weighted
	 * by capacity) or {@code least-loaded} (the ACTIVE shard with the lowest sum of tier weights per unit of capacity).
	 * Default: {@code consistent-hash}.
	 */
	public static final String PLACEMENT_STRATEGY = "shardwise.placement.strategy";

	/**
	 * Virtual nodes per shard of average capacity on the consistent-hash ring: more spread the tenants more evenly
	 * (the largest deviation of a shard from its share shrinks like {@code 1 / sqrt(n)}) at 12 bytes per point.
	 * Default: {@code 2048}.
	 */
	public static final String PLACEMENT_VIRTUAL_NODES = "shardwise.placement.virtual-nodes";

	// ---- pools (defaults for every shard; a shard's own pool settings in the topology win) ----

	/** Maximum open connections per shard pool. Default: {@code 50}. */
	public static final String POOL_MAXIMUM_SIZE = "shardwise.pool.maximum-size";

	/** Minimum idle connections per shard pool. Default: {@code 10}. */
	public static final String POOL_MINIMUM_IDLE = "shardwise.pool.minimum-idle";

	/** Maximum lifetime of a pooled connection. Default: {@code 30m}. */
	public static final String POOL_MAX_LIFETIME = "shardwise.pool.max-lifetime";

	/** How long a session waits for a connection before failing. Default: {@code 30s}. */
	public static final String POOL_CONNECTION_TIMEOUT = "shardwise.pool.connection-timeout";

	/** How long a connection may sit idle above the minimum. Default: {@code 10m}. */
	public static final String POOL_IDLE_TIMEOUT = "shardwise.pool.idle-timeout";

	// ---- schema ----

	/**
	 * Whether the schema action of the persistence unit
	 * ({@code jakarta.persistence.schema-generation.database.action} or {@code hibernate.hbm2ddl.auto}) is applied to
	 * every shard at boot rather than only the one Hibernate reaches. Default: {@code true}.
	 */
	public static final String SCHEMA_ALL_SHARDS = "shardwise.schema.all-shards";

	// ---- metrics ----

	/**
	 * A Micrometer {@code MeterRegistry} instance (handed in by code) or {@code global} for
	 * {@code Metrics.globalRegistry}, or {@code none}. Default: {@code global}.
	 */
	public static final String METER_REGISTRY = "shardwise.metrics.registry";
}
