package io.shardwise.query;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;

import jakarta.persistence.EntityManagerFactory;

import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.internal.hibernate.ShardwiseConnectionProvider;
import io.shardwise.internal.query.QueryEngine;
import io.shardwise.internal.query.QuerySpec;

/**
 * Cross-shard queries of one persistence unit: the same JPQL/HQL query, criteria query or session callback run on
 * every shard (or on the shards holding a set of tenants) in parallel, each in a read-only session on the shard's
 * analytics endpoint (else a replica, else the primary), with the rows merged into the answer a single database
 * would give: concatenated, merged in ORDER BY order, limited, aggregated (count, sum, min, max, avg), grouped or
 * made distinct. A query whose rows cannot be merged exactly is rejected with {@link UnmergeableQueryException}.
 *
 * <pre>{@code
 * CrossShardQueries queries = CrossShardQueries.of(emf);
 * List<Object[]> totals = queries.allTenants()
 *         .query("select o.region, count(o), sum(o.total) from Order o where o.placedAt >= :since "
 *                 + "group by o.region order by o.region", Object[].class)
 *         .setParameter("since", since)
 *         .list().rows();
 * QueryResult<Order> recent = queries.tenants("acme", "globex")
 *         .query("from Order o order by o.placedAt desc, o.id", Order.class)
 *         .maxResults(20).list();
 * }</pre>
 *
 * Which tenants a query reads is always explicit: {@link #allTenants()} turns Hibernate's {@code @TenantId} filter off
 * (only the tenants placed on each shard are read there, so a tenant being moved is counted once);
 * {@link #tenants} reads only the given tenants, on the shards their placements name.
 */
public final class CrossShardQueries {
	private final QueryEngine engine;

	private CrossShardQueries(QueryEngine engine) {
		this.engine = engine;
	}

	/**
	 * The cross-shard queries of an {@code EntityManagerFactory} (or Hibernate {@code SessionFactory}) routed by
	 * Shardwise.
	 *
	 * @throws ShardwiseConfigurationException if Shardwise does not route that persistence unit
	 */
	public static CrossShardQueries of(EntityManagerFactory emf) {
		SessionFactoryImplementor sf = emf.unwrap( SessionFactoryImplementor.class );
		MultiTenantConnectionProvider<?> provider = sf.getServiceRegistry().getService( MultiTenantConnectionProvider.class );
		if ( provider instanceof ShardwiseConnectionProvider p ) {
			return new CrossShardQueries( QueryEngine.of( sf, p.runtime() ) );
		}
		throw new ShardwiseConfigurationException( "persistence unit '" + sf.getName() + "' is not routed by Shardwise: "
				+ "its multi-tenant connection provider is " + ( provider == null ? "not set" : provider.getClass().getName() )
				+ "; set " + ShardwiseSettings.TOPOLOGY_FILE + " or " + ShardwiseSettings.TOPOLOGY_STORE + " in persistence.xml" );
	}

	/**
	 * Queries over every tenant: Hibernate's {@code @TenantId} filter is off, and each shard contributes the rows of
	 * the tenants placed on it (rows left behind or copied ahead by a tenant move are not counted).
	 */
	public TenantScope allTenants() {
		return new TenantScope( engine, new QuerySpec.Scope( true, null ) );
	}

	/**
	 * Queries over some tenants only: the shards their placements name are queried, each restricted to the given
	 * tenants it holds (the multi-tenant twin of the {@code @TenantId} filter: same columns, same places).
	 *
	 * @throws IllegalArgumentException if the set is empty
	 */
	public TenantScope tenants(Collection<String> tenantIds) {
		if ( tenantIds == null || tenantIds.isEmpty() ) {
			throw new IllegalArgumentException( "tenant set of a cross-shard query must not be empty, but was "
					+ tenantIds + ": use allTenants() to query every tenant" );
		}
		return new TenantScope( engine, new QuerySpec.Scope( false, new LinkedHashSet<>( tenantIds ) ) );
	}

	/** See {@link #tenants(Collection)}. */
	public TenantScope tenants(String... tenantIds) {
		return tenants( tenantIds == null ? null : Arrays.asList( tenantIds ) );
	}
}
