package io.shardwise.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import io.shardwise.topology.TenantPlacement;

/**
 * The local tenant-to-shard cache: one concurrent-map lookup and a time comparison per routing call, no locks.
 * Entries expire after a TTL (a bound on staleness for changes the store does not report) and are replaced or
 * dropped at once when the store reports a change. A newer placement version always wins over an older one, so a
 * slow cache fill can never overwrite a change that was reported meanwhile.
 */
public final class RouteCache {
	private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
	private final LongAdder requests = new LongAdder();
	private final LongAdder hits = new LongAdder();
	private final long ttlNanos;
	private final LongSupplier nanoClock;

	public RouteCache(java.time.Duration ttl, LongSupplier nanoClock) {
		this.ttlNanos = ttl.toNanos();
		this.nanoClock = nanoClock;
	}

	/** A cached, unexpired route, counting the request and, if found, the hit. */
	public Route get(String tenantId) {
		requests.increment();
		Route r = routes.get( tenantId );
		if ( r != null && nanoClock.getAsLong() - r.expiresAtNanos < 0 ) {
			hits.increment();
			return r;
		}
		return null;
	}

	/** Stores a route unless a newer version of the placement is cached already; returns the one in force. */
	public Route put(TenantPlacement placement, ShardHandle shard) {
		Route fresh = new Route( placement, shard, nanoClock.getAsLong() + ttlNanos );
		return routes.merge( placement.tenantId(), fresh,
				(old, neu) -> old.placement.version() > neu.placement.version() ? old : neu );
	}

	public void remove(String tenantId) {
		routes.remove( tenantId );
	}

	public void removeShard(String shard) {
		routes.values().removeIf( r -> r.placement.shard().equals( shard ) );
	}

	public void clear() {
		routes.clear();
	}

	/** Takes back the request {@link #get} just counted: a lookup that was not a tenant's (a cross-shard session). */
	public void uncountRequest() {
		requests.decrement();
	}

	public long requests() {
		return requests.sum();
	}

	public long hits() {
		return hits.sum();
	}

	public long size() {
		return routes.size();
	}

	/** A cached route: the placement, the live shard it names, and when it stops being trusted. */
	public static final class Route {
		final TenantPlacement placement;
		final ShardHandle shard;
		final long expiresAtNanos;

		Route(TenantPlacement placement, ShardHandle shard, long expiresAtNanos) {
			this.placement = placement;
			this.shard = shard;
			this.expiresAtNanos = expiresAtNanos;
		}

		public TenantPlacement placement() {
			return placement;
		}

		public ShardHandle shard() {
			return shard;
		}
	}
}
