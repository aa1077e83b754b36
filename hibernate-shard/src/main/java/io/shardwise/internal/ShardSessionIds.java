package io.shardwise.internal;

/**
 * Reserved tenant identifiers that pin a Hibernate session to a <em>shard</em> rather than to a tenant: the sessions
 * of cross-shard queries ({@code io.shardwise.query}). They start with a control character, so no valid tenant id
 * ({@link io.shardwise.TenantIds}) can ever equal one, and they are recognised only on the routing miss path (the
 * route cache never holds them).
 * <ul>
 * <li>{@link #allTenants(String)}: a session over every tenant placed on the shard. The tenant resolver reports it
 * as Hibernate's "root" tenant, so Hibernate leaves the {@code @TenantId} filter off; the query engine applies its own
 * restriction to the tenants placed on the shard.</li>
 * <li>{@link #tenantSubset(String)}: a session over some tenants of the shard. Not root: Hibernate turns the
 * {@code @TenantId} filter on with this id as the value, which matches no row (fail closed) until the query engine
 * swaps it for the restriction to the requested tenants.</li>
 * </ul>
 * Connections of both kinds are read-only and come from the shard's analytics endpoint, else a replica, else the
 * primary.
 */
public final class ShardSessionIds {
	/** First character of every reserved id (a control character: never part of a valid tenant id). */
	public static final char MARK = '\u0001';
	private static final String ALL = MARK + "all-tenants@";
	private static final String SUBSET = MARK + "tenant-subset@";

	private ShardSessionIds() {
	}

	/** The id of an all-tenants session on {@code shard}. */
	public static String allTenants(String shard) {
		return ALL + Checks.shardName( shard );
	}

	/** The id of a session on {@code shard} restricted to some of its tenants. */
	public static String tenantSubset(String shard) {
		return SUBSET + Checks.shardName( shard );
	}

	/** Whether {@code id} is a reserved shard-session id of either kind. */
	public static boolean isShardSession(Object id) {
		return id instanceof String s && !s.isEmpty() && s.charAt( 0 ) == MARK && ( s.startsWith( ALL ) || s.startsWith( SUBSET ) );
	}

	/** Whether {@code id} is the id of an all-tenants session (Hibernate's root tenant). */
	public static boolean isAllTenants(Object id) {
		return id instanceof String s && s.startsWith( ALL );
	}

	/** The shard a reserved id names. */
	public static String shardOf(String id) {
		if ( id.startsWith( ALL ) ) {
			return id.substring( ALL.length() );
		}
		if ( id.startsWith( SUBSET ) ) {
			return id.substring( SUBSET.length() );
		}
		throw new IllegalArgumentException( "tenant id must be a reserved shard-session id, but was " + Checks.quote( id ) );
	}
}
