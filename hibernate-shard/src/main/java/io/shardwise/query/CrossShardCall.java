package io.shardwise.query;

import java.time.Duration;
import java.util.Collection;
import java.util.function.Function;

import org.hibernate.Session;

import io.shardwise.internal.query.QueryEngine;
import io.shardwise.internal.query.QuerySpec;

/**
 * A session callback run on every shard of a {@link TenantScope} (see {@link TenantScope#call}); what the callbacks
 * return is concatenated. The callback runs on a query thread, once per shard, concurrently: it must not share
 * unsynchronised state across calls.
 *
 * @param <T> the element type
 */
public final class CrossShardCall<T> {
	private final QueryEngine engine;
	private final QuerySpec.Scope scope;
	private final Function<Session, ? extends Collection<? extends T>> work;
	private final Bounds bounds = new Bounds();

	CrossShardCall(QueryEngine engine, QuerySpec.Scope scope, Function<Session, ? extends Collection<? extends T>> work) {
		this.engine = engine;
		this.scope = scope;
		this.work = work;
	}

	/** FAIL (the default) or PARTIAL, see {@link PartialResults}. */
	public CrossShardCall<T> partialResults(PartialResults policy) {
		bounds.partialResults( policy );
		return this;
	}

	/** How long one shard's callback may run before its statement is cancelled. */
	public CrossShardCall<T> shardTimeout(Duration timeout) {
		bounds.shardTimeout( timeout );
		return this;
	}

	/** How long the whole call may take. */
	public CrossShardCall<T> timeout(Duration timeout) {
		bounds.timeout( timeout );
		return this;
	}

	/** At most this many shards at once. */
	public CrossShardCall<T> maxConcurrentShards(int shards) {
		bounds.maxConcurrentShards( shards );
		return this;
	}

	/** Runs the callback on every shard and concatenates the results (in no particular shard order). */
	public QueryResult<T> list() {
		return engine.call( scope, bounds.toOverrides(), work );
	}
}
