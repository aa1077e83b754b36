package io.shardwise.store;

import java.nio.file.Path;

import io.shardwise.TopologyException;
import io.shardwise.internal.Checks;

/**
 * A topology read once, at creation, from a JSON or YAML file ({@code shardwise.topology.store=file} with
 * {@code shardwise.topology.file}); afterwards it behaves exactly like an {@link InMemoryTopologyStore}.
 * <p>
 * <b>Not durable.</b> Changes made at runtime (new tenants, moves, shard status changes) live in this JVM's memory
 * only: they are lost on restart, never written back to the file, and not seen by other JVMs. Use this store for
 * development, tests and topologies that are fixed at deployment; use the {@code jdbc} store (the catalog database)
 * or the {@code hazelcast} store when tenants are provisioned or moved at runtime.
 * <p>
 * The file is looked up on the class path first (an optional {@code classpath:} prefix restricts the search to the
 * class path), then on the file system. Its extension selects the format: {@code .json}, {@code .yaml} or
 * {@code .yml}. Example:
 *
 * <pre>{@code
 * shards:
 *   - name: eu-1                  # 1-64 characters of [A-Za-z0-9._-]
 *     status: ACTIVE              # optional: ACTIVE (default), READ_ONLY, DRAINING, OFFLINE
 *     capacityWeight: 1           # optional, default 1: relative capacity for placement
 *     credentials: { username: app, password: "${EU1_PASSWORD}" }   # optional
 *     write: "jdbc:postgresql://db1/app"        # required: a JDBC URL, or { url: ..., username: ..., password: ... }
 *     read: [ "jdbc:postgresql://db1-replica/app" ]                 # optional: one endpoint or a list
 *     analytics: "jdbc:postgresql://db1-analytics/app"              # optional
 *     pool: { maximumPoolSize: 20, minimumIdle: 2, maxLifetime: 30m, connectionTimeout: 5s, idleTimeout: 10m }
 *   - name: eu-2
 *     write: { url: "jdbc:postgresql://db2/app", username: app2, password: "${EU2_PASSWORD}" }
 * tenants:
 *   - { id: acme, shard: eu-1, tier: SMALL }  # tier (SMALL, MEDIUM, LARGE; default SMALL),
 *   - { id: globex, shard: eu-2 }             # status (ACTIVE, READ_ONLY, SUSPENDED; default ACTIVE)
 *                                             # and version (default 1) are optional
 * }</pre>
 *
 * The same in JSON: {@code {"shards": [{"name": "eu-1", "write": "jdbc:...", ...}], "tenants": [{"id": "acme",
 * "shard": "eu-1"}]}}. Rules:
 * <ul>
 * <li>{@code shards} is required (it may be empty: {@code shards: []}); {@code tenants} is optional.</li>
 * <li>Pool settings are optional each; unset ones are inherited from {@code shardwise.pool.*}. Durations are written
 * like the persistence settings: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}, ISO-8601
 * ({@code PT30S}) or a number of milliseconds.</li>
 * <li>Passwords are either literals or references {@code ${NAME}} / {@code ${NAME:default}}, resolved from the
 * system property {@code NAME}, then the environment variable {@code NAME}, when a connection is opened. Prefer
 * references: the file then holds no secret.</li>
 * <li>Enum values are case-insensitive. Unknown fields, duplicate keys, duplicate shard names, a tenant placed twice
 * or on a shard the file does not define are errors.</li>
 * </ul>
 * Any problem fails the creation with a {@link TopologyException} naming the file, the position (line and column, or
 * a path such as {@code shards[2].write}) and what to fix. Password values never appear in messages.
 */
public class FileTopologyStore extends InMemoryTopologyStore {
	private final String source;

	private FileTopologyStore(TopologyFileReader.Source source, TopologyFileReader.Topology topology) {
		super( topology.shards(), topology.placements() );
		this.source = source.description();
	}

	/**
	 * Loads a topology file: a class path resource (optionally prefixed with {@code classpath:}) or, if there is no
	 * such resource, a file system path.
	 *
	 * @throws TopologyException if the file is missing (naming where it was looked for) or invalid
	 */
	public static FileTopologyStore load(String location) {
		TopologyFileReader.Source source = TopologyFileReader.locate( location );
		return new FileTopologyStore( source, TopologyFileReader.read( source ) );
	}

	/**
	 * Loads a topology file from the file system.
	 *
	 * @throws TopologyException if the file is missing or invalid
	 */
	public static FileTopologyStore load(Path file) {
		TopologyFileReader.Source source = TopologyFileReader.read( Checks.notNull( file, "topology file" ) );
		return new FileTopologyStore( source, TopologyFileReader.read( source ) );
	}

	/** The file this store was loaded from, as named in messages. */
	public String source() {
		return source;
	}

	@Override
	public String toString() {
		return "FileTopologyStore[" + source + ", " + shards().size() + " shards, " + placements().size() + " placements]";
	}
}
