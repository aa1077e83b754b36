package io.shardwise.internal.query;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.hibernate.query.sqm.tree.select.SqmSelectStatement;

import io.shardwise.query.PartialResults;

/**
 * What a caller of {@code io.shardwise.query} asked for, handed to the {@link QueryEngine}.
 *
 * @param hql the query text, or {@code null} for a criteria query
 * @param criteria the criteria query, or {@code null} for HQL
 */
public record QuerySpec(Scope scope, String hql, SqmSelectStatement<?> criteria, Class<?> resultType,
		Map<String, Object> namedParameters, Map<Integer, Object> positionalParameters, Integer firstResult,
		Integer maxResults, boolean tenantLocal, Overrides overrides) {

	/** Which tenants a cross-shard query reads: all of them, or a set. */
	public record Scope(boolean allTenants, Set<String> tenants) {
		public Scope {
			tenants = tenants == null ? Set.of() : Set.copyOf( tenants );
		}
	}

	/** Per-query bounds; {@code null} components take the persistence unit's defaults. */
	public record Overrides(PartialResults partialResults, Duration shardTimeout, Duration timeout,
			Integer maxConcurrentShards, Integer maxBufferedRows) {
		public static final Overrides NONE = new Overrides( null, null, null, null, null );
	}
}
