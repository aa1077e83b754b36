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

	// ---- hazelcast store (module hazelcast-topology; shardwise.topology.store=hazelcast) ----

	/**
	 * A {@code com.hazelcast.core.HazelcastInstance} handed in by code (member or client) for the {@code hazelcast}
	 * store. It stays the caller's: closing the store does not shut it down. When set, the other
	 * {@code shardwise.hazelcast.*} settings that build an instance are ignored. Default: none (the store builds and
	 * owns its instance).
	 */
	public static final String HAZELCAST_INSTANCE = "shardwise.hazelcast.instance";

	/**
	 * The application's own Hazelcast configuration file for the instance the store builds: a {@code .yaml},
	 * {@code .yml} or {@code .xml} file on the class path ({@code classpath:} prefix optional) or the file system; a
	 * member configuration in {@code member} mode, a client configuration in {@code client} mode. The store adds its
	 * maps to it. When set, {@link #HAZELCAST_CLUSTER_NAME}, {@link #HAZELCAST_MEMBERS}, {@link #HAZELCAST_PORT} and
	 * {@link #HAZELCAST_INTERFACE} are ignored. Default: none (the instance is built from those settings).
	 */
	public static final String HAZELCAST_CONFIG = "shardwise.hazelcast.config";

	/**
	 * {@code member}: the store starts an embedded Hazelcast member in this JVM; {@code client}: it connects to a
	 * cluster as a Hazelcast client (the members must have the hazelcast-topology jar and the catalog's JDBC driver on
	 * their class path). Default: {@code member}.
	 */
	public static final String HAZELCAST_MODE = "shardwise.hazelcast.mode";

	/** Hazelcast cluster name; members and clients with another name never join. Default: {@code shardwise}. */
	public static final String HAZELCAST_CLUSTER_NAME = "shardwise.hazelcast.cluster-name";

	/**
	 * The other members, comma-separated {@code host}, {@code host:port} or {@code host:port-port} entries: the
	 * TCP-IP join list of a member (multicast is never used), the addresses a client connects to. Default: empty for a
	 * member (it forms a cluster of its own until others list it), {@code 127.0.0.1:5701} for a client.
	 */
	public static final String HAZELCAST_MEMBERS = "shardwise.hazelcast.members";

	/**
	 * Port of the embedded member: {@code 5701}, or a range {@code 5701-5710} (the member takes the first free one).
	 * Default: {@code 5701-5800}.
	 */
	public static final String HAZELCAST_PORT = "shardwise.hazelcast.port";

	/**
	 * The network interface the embedded member binds and announces, e.g. {@code 127.0.0.1} or {@code 10.0.*.*}.
	 * Default: none (Hazelcast picks one, preferring the interfaces of the member list).
	 */
	public static final String HAZELCAST_INTERFACE = "shardwise.hazelcast.interface";

	/**
	 * Prefix of the names of the store's Hazelcast structures ({@code <prefix>.placements}, {@code <prefix>.shards},
	 * {@code <prefix>.invalidations}), so that several persistence units can share a cluster. Default:
	 * {@code shardwise}.
	 */
	public static final String HAZELCAST_NAME_PREFIX = "shardwise.hazelcast.name-prefix";

	/**
	 * Whether each member keeps a near cache of the placements it reads (OBJECT format, invalidated on change), so that
	 * a route-cache miss (first use of a tenant on the member, TTL expiry, invalidation) is answered without the
	 * network. Costs about 0.5 KB per near-cached placement per member; with it off, such a miss reads the entry's owner
	 * (one round trip) and only the route cache holds placements. Default: {@code true}.
	 */
	public static final String HAZELCAST_NEAR_CACHE = "shardwise.hazelcast.near-cache";

	/** Synchronous backups of every topology entry; at least 1, so that losing a member loses nothing. Default: {@code 1}. */
	public static final String HAZELCAST_BACKUP_COUNT = "shardwise.hazelcast.backup-count";

	/**
	 * How long a client waits for the cluster at start (an unreachable cluster then fails start-up), and how long
	 * {@code invalidateAll} waits for every member's acknowledgement. Default: {@code 30s}.
	 */
	public static final String HAZELCAST_TIMEOUT = "shardwise.hazelcast.timeout";

	// ---- routing cache ----

	/**
	 * How long a cached placement is trusted without hearing of a change. Changes reported by the store evict at once;
	 * the TTL bounds staleness for changes made behind the store's back. Default: {@code 60s}.
	 */
	public static final String CACHE_TTL = "shardwise.cache.ttl";

	/**
	 * Cache health: when the hit ratio of the local route cache over the last {@link #CACHE_HEALTH_WINDOW} drops
	 * below this, the member drops its cache and pulls the whole topology from the store, synchronously, before it
	 * routes further. {@code 0} turns the check off. Default: {@code 0.95}.
	 */
	public static final String CACHE_HEALTH_MIN_HIT_RATIO = "shardwise.cache.health.min-hit-ratio";

	/** The sliding window over which the hit ratio is measured. Default: {@code 5m}. */
	public static final String CACHE_HEALTH_WINDOW = "shardwise.cache.health.window";

	/**
	 * Lookups the window must hold before the hit ratio is judged (so that a handful of first lookups cannot trigger
	 * a full pull). Default: {@code 1000}.
	 */
	public static final String CACHE_HEALTH_MIN_REQUESTS = "shardwise.cache.health.min-requests";

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

	// ---- fault isolation (one circuit breaker per shard pool, one bulkhead per shard, health checks) ----

	/**
	 * Consecutive failed connection acquisitions (errors or acquisition timeouts, including failed health checks) after
	 * which a shard pool's circuit breaker opens. Implemented as a count-based window of this size, a minimum of this
	 * many calls and a 100% failure-rate threshold: the breaker opens when every one of the last N recorded acquisitions
	 * failed, i.e. after N failures in a row. Default: {@code 3}.
	 */
	public static final String BREAKER_FAILURE_THRESHOLD = "shardwise.breaker.failure-threshold";

	/**
	 * How long an open breaker refuses every session before it lets probe calls through (half-open). A passing health
	 * check ends the wait early; a failing one restarts it. Default: {@code 10s}.
	 */
	public static final String BREAKER_WAIT_IN_OPEN = "shardwise.breaker.wait-in-open";

	/**
	 * Probe calls a half-open breaker lets through; when all of them succeed it closes, when one fails it opens again.
	 * Default: {@code 1}.
	 */
	public static final String BREAKER_HALF_OPEN_CALLS = "shardwise.breaker.half-open-calls";

	/**
	 * A {@code java.time.Clock} instance (handed in by code, for tests) that the circuit breakers measure their open
	 * wait with; deferred writes also take the time of their applied markers and the markers' retention from it.
	 * Default: the system clock.
	 */
	public static final String BREAKER_CLOCK = "shardwise.breaker.clock";

	/**
	 * Maximum threads acquiring connections of one shard at the same time (all its pools together); one more fails
	 * at once with {@link ShardSaturatedException}, so that a slow shard cannot take every request thread.
	 * Default: {@code 32}.
	 */
	public static final String BULKHEAD_MAX_CONCURRENT_ACQUISITIONS = "shardwise.bulkhead.max-concurrent-acquisitions";

	/** How long a thread may wait for a free bulkhead slot before failing. Default: {@code 0} (fail at once). */
	public static final String BULKHEAD_MAX_WAIT = "shardwise.bulkhead.max-wait";

	/**
	 * Attempts at acquiring one connection when it fails fast with a transient error (SQLState class 08, 40, 53, 57P0x
	 * or a {@code SQLTransientException}), with exponential backoff and jitter between them; all attempts together stay
	 * within the pool's connection timeout. Only connection acquisition is ever retried, never a statement or a
	 * transaction. {@code 1} disables retries. Default: {@code 3}.
	 */
	public static final String ACQUISITION_MAX_ATTEMPTS = "shardwise.acquisition.max-attempts";

	/** The first backoff between acquisition attempts; each next one doubles, with +/-50% jitter. Default: {@code 50ms}. */
	public static final String ACQUISITION_BACKOFF = "shardwise.acquisition.backoff";

	/**
	 * Whether a read-only session whose replicas are all unavailable is served by the shard's primary (read-only).
	 * Replicas are always tried first, each in turn. Default: {@code true}.
	 */
	public static final String READ_FALLBACK_TO_PRIMARY = "shardwise.read.fallback-to-primary";

	/**
	 * How often every shard pool is health-checked (a connection is borrowed and validated), off the request path. A
	 * failed check counts as a failure for the pool's breaker; a passing check of an open breaker lets it close.
	 * {@code 0} disables the checks. Default: {@code 10s}.
	 */
	public static final String HEALTH_INTERVAL = "shardwise.health.interval";

	/** How long one health check may take to validate a connection. Default: {@code 5s}. */
	public static final String HEALTH_TIMEOUT = "shardwise.health.timeout";

	/**
	 * A {@code java.util.concurrent.ScheduledExecutorService} instance (handed in by code) that runs the health checks
	 * and deferred-work replays; Shardwise does not shut it down. Default: a daemon thread of its own.
	 */
	public static final String HEALTH_SCHEDULER = "shardwise.health.scheduler";

	// ---- deferred (fallback) writes ----

	/**
	 * Failed applications of one deferred entry after which it is parked (kept with its error, no longer replayed,
	 * visible through {@link DeferredWrites#parked()}). Default: {@code 5}.
	 */
	public static final String DEFERRED_MAX_ATTEMPTS = "shardwise.deferred.max-attempts";

	/**
	 * How often pending deferred entries are looked for and replayed (besides at once when a shard's primary breaker
	 * closes); this also picks up entries that a crashed member left behind. Default: {@code 30s}.
	 */
	public static final String DEFERRED_REPLAY_INTERVAL = "shardwise.deferred.replay-interval";

	/**
	 * How long a shard keeps the marker row ({@code shardwise_deferred_applied}) that records a deferred entry as
	 * applied there. A marker is only needed while its entry may still be replayed; during replays to a shard (at most
	 * once an hour per shard and member) markers older than this whose entry is no longer in the catalog are deleted.
	 * Must be at least {@code 1m}; keep it far longer than any replay pass. Default: {@code 7d}.
	 */
	public static final String DEFERRED_MARKER_RETENTION = "shardwise.deferred.marker-retention";

	// ---- cross-shard queries (io.shardwise.query) ----

	/**
	 * Threads of the cross-shard query executor, shared by all cross-shard queries of the persistence unit: at most this
	 * many shard queries run at once. A query reserves all the threads it needs before it starts (so concurrent
	 * queries cannot starve each other) and waits at most its overall timeout for them. Default: {@code 16}.
	 */
	public static final String QUERY_THREADS = "shardwise.query.threads";

	/**
	 * Maximum shards one cross-shard query queries at once; the others wait for a slot. An ordered merge needs every
	 * shard's cursor open at once unless its limit fits the row buffer, and is rejected otherwise. Default: {@code 8}.
	 */
	public static final String QUERY_MAX_CONCURRENT_SHARDS = "shardwise.query.max-concurrent-shards";

	/**
	 * How long one shard may work on its part of a cross-shard query (time blocked on a full row buffer, waiting for
	 * the caller, does not count); then its statement is cancelled and the shard is reported failed. Also set as the
	 * JDBC query timeout (rounded up to seconds). Default: {@code 30s}.
	 */
	public static final String QUERY_SHARD_TIMEOUT = "shardwise.query.shard-timeout";

	/**
	 * How long a whole cross-shard query may take, from its start until its last shard has finished (including the
	 * time a streaming caller takes to consume rows); then every unfinished shard is cancelled. Default: {@code 60s}.
	 */
	public static final String QUERY_TIMEOUT = "shardwise.query.timeout";

	/**
	 * Maximum rows a cross-shard query holds in memory: rows read ahead from the shards and waiting to be merged,
	 * groups of a GROUP BY or DISTINCT merge, rows of an in-memory sort. A query that would need more fails with a
	 * message saying how to bound it. Default: {@code 10000}.
	 */
	public static final String QUERY_MAX_BUFFERED_ROWS = "shardwise.query.max-buffered-rows";

	/** JDBC fetch size of shard queries (rows per round trip while streaming). Default: {@code 500}. */
	public static final String QUERY_FETCH_SIZE = "shardwise.query.fetch-size";

	/**
	 * What a cross-shard query does when a shard fails: {@code fail} (raise, naming the shards and why) or
	 * {@code partial} (return the other shards' results together with the failures). Default: {@code fail}.
	 */
	public static final String QUERY_PARTIAL_RESULTS = "shardwise.query.partial-results";

	// ---- metrics ----

	/**
	 * A Micrometer {@code MeterRegistry} instance (handed in by code) or {@code global} for
	 * {@code Metrics.globalRegistry}, or {@code none}. Default: {@code global}.
	 */
	public static final String METER_REGISTRY = "shardwise.metrics.registry";
}
