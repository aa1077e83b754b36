package io.shardwise.query;

import java.util.Collection;
import java.util.Set;
import java.util.function.Function;

import jakarta.persistence.criteria.CriteriaQuery;

import org.hibernate.Session;
import org.hibernate.query.sqm.tree.select.SqmSelectStatement;

import io.shardwise.internal.query.QueryEngine;
import io.shardwise.internal.query.QuerySpec;

/**
 * The tenants a cross-shard query reads ({@link CrossShardQueries#allTenants()} or {@link CrossShardQueries#tenants})
 * and the queries to run over them.
 */
public final class TenantScope {
	private final QueryEngine engine;
	private final QuerySpec.Scope scope;

	TenantScope(QueryEngine engine, QuerySpec.Scope scope) {
		this.engine = engine;
		this.scope = scope;
	}

	/** Whether this scope reads every tenant. */
	public boolean isAllTenants() {
		return scope.allTenants();
	}

	/** The tenants of a tenant scope; empty for {@link #isAllTenants()}. */
	public Set<String> tenantIds() {
		return scope.tenants();
	}

	/**
	 * A JPQL/HQL select query.
	 *
	 * @param resultType {@code Object[]} for several selected values, else the type of the one selected value;
	 *        {@code Tuple} for tuples; for {@code select new ...} the constructed class (or a supertype)
	 */
	public <T> CrossShardQuery<T> query(String hql, Class<T> resultType) {
		if ( hql == null || hql.isBlank() ) {
			throw new IllegalArgumentException( "cross-shard query must be a non-blank JPQL/HQL select query, but was "
					+ ( hql == null ? "null" : "'" + hql + "'" ) );
		}
		if ( resultType == null ) {
			throw new IllegalArgumentException( "result type must not be null: use Object[].class for several selected values" );
		}
		return new CrossShardQuery<>( engine, scope, hql, null, resultType );
	}

	/** A criteria query (built with the persistence unit's {@code CriteriaBuilder}). */
	public <T> CrossShardQuery<T> query(CriteriaQuery<T> criteria) {
		if ( !( criteria instanceof SqmSelectStatement<T> statement ) ) {
			throw new IllegalArgumentException( "criteria query must come from this persistence unit's CriteriaBuilder "
					+ "(a Hibernate criteria query), but was " + ( criteria == null ? "null" : criteria.getClass().getName() ) );
		}
		return new CrossShardQuery<>( engine, scope, null, statement, criteria.getResultType() );
	}

	/**
	 * A callback run once per shard, in a read-only {@link Session} (an {@code EntityManager}) restricted to this
	 * scope's tenants on that shard; the collections it returns are concatenated. Entities it returns are detached.
	 * The session is closed when the callback returns.
	 */
	public <T> CrossShardCall<T> call(Function<Session, ? extends Collection<? extends T>> work) {
		if ( work == null ) {
			throw new IllegalArgumentException( "session callback must not be null" );
		}
		return new CrossShardCall<>( engine, scope, work );
	}
}
