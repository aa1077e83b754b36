package io.shardwise.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import io.shardwise.ShardwiseMeters;
import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.topology.ShardRole;

/**
 * Binds Shardwise's metrics to a Micrometer {@link MeterRegistry}: routing cache counters, routed connections per
 * shard and role, routing errors, and HikariCP's pool meters for every shard pool.
 * <p>
 * HikariCP's meters ({@code hikaricp.*{pool}}) are registered through a view of the registry per pool that adds this
 * tracker's common tags, so two persistence units over the same shards keep their pool meters apart. When a pool is
 * replaced by a new one of the same name (endpoints or credentials re-pointed, a shard removed and added again), the
 * old pool's meters leave the registry before the new pool registers its own, and the old pool's close (after its
 * graceful retirement) no longer touches the registry: the meters of that name always show the pool that serves.
 */
public final class MicrometerShardMetricsTracker implements ShardMetricsTracker {
	private final MeterRegistry registry;
	/** By pool name: the registry view the current pool of that name registered its HikariCP meters through. */
	private final Map<String, CompositeMeterRegistry> poolViews = new HashMap<>();
	private final List<Meter> meters = new ArrayList<>();
	// Micrometer holds the state object of a function meter weakly: keep the suppliers reachable from here
	private final List<LongSupplier> suppliers = new ArrayList<>();
	private final List<CircuitBreaker> breakers = new ArrayList<>();

	private final Tags common;

	public MicrometerShardMetricsTracker(MeterRegistry registry) {
		this( registry, Tags.empty() );
	}

	/**
	 * @param commonTags added to every meter of this tracker, e.g. {@code unit=<persistence unit>} so that several
	 * persistence units (or several instances of one, as in tests) in one JVM keep their meters apart
	 */
	public MicrometerShardMetricsTracker(MeterRegistry registry, Iterable<Tag> commonTags) {
		this.registry = registry;
		this.common = Tags.of( commonTags );
	}

	/**
	 * A tracker tagged {@code unit=<name>}; when a tracker of that unit already has meters in the registry (a second
	 * factory of the same unit in one JVM), the tag gets a suffix, {@code <name>-2}, {@code <name>-3}, ...
	 */
	public static MicrometerShardMetricsTracker forUnit(MeterRegistry registry, String unit) {
		String tag = unit;
		for ( int n = 2; registry.find( ShardwiseMeters.CACHE_REQUESTS ).tag( ShardwiseMeters.TAG_UNIT, tag ).meter() != null; n++ ) {
			tag = unit + "-" + n;
		}
		return new MicrometerShardMetricsTracker( registry, Tags.of( ShardwiseMeters.TAG_UNIT, tag ) );
	}

	public MeterRegistry registry() {
		return registry;
	}

	@Override
	public void bindRoutingCache(LongSupplier requests, LongSupplier hits, LongSupplier size) {
		synchronized ( meters ) {
			suppliers.add( requests );
			suppliers.add( hits );
			suppliers.add( size );
			meters.add( FunctionCounter.builder( ShardwiseMeters.CACHE_REQUESTS, requests, LongSupplier::getAsLong )
					.description( "Tenant-to-shard lookups made by the router" ).tags( common ).register( registry ) );
			meters.add( FunctionCounter.builder( ShardwiseMeters.CACHE_HITS, hits, LongSupplier::getAsLong )
					.description( "Tenant-to-shard lookups answered from the local cache" ).tags( common ).register( registry ) );
			meters.add( Gauge.builder( ShardwiseMeters.CACHE_SIZE, size, LongSupplier::getAsLong )
					.description( "Placements held in the local routing cache" ).tags( common ).register( registry ) );
		}
	}

	@Override
	public void configurePool(String shard, ShardRole role, HikariConfig config) {
		CompositeMeterRegistry view = new CompositeMeterRegistry();
		view.config().commonTags( common );
		view.add( registry );
		CompositeMeterRegistry previous;
		synchronized ( poolViews ) {
			previous = poolViews.put( config.getPoolName(), view );
		}
		if ( previous != null ) {
			detach( previous );
		}
		config.setMetricsTrackerFactory( new MicrometerMetricsTrackerFactory( view ) );
	}

	/** Takes an earlier pool's HikariCP meters out of the registry and cuts its view off from it. */
	private void detach(CompositeMeterRegistry old) {
		for ( Meter m : old.getMeters() ) {
			registry.removeByPreFilterId( m.getId() );
		}
		old.remove( registry );
	}

	@Override
	public ShardMetricsTracker.Counter routedConnections(String shard, ShardRole role) {
		io.micrometer.core.instrument.Counter counter = io.micrometer.core.instrument.Counter.builder( ShardwiseMeters.ROUTED_CONNECTIONS )
				.description( "Connections handed out by the router" )
				.tag( ShardwiseMeters.TAG_SHARD, shard )
				.tag( ShardwiseMeters.TAG_ROLE, role.name().toLowerCase( java.util.Locale.ROOT ) )
				.tags( common ).register( registry );
		synchronized ( meters ) {
			meters.add( counter );
		}
		return counter::increment;
	}

	@Override
	public void routingError(String reason) {
		registry.counter( ShardwiseMeters.ROUTING_ERRORS, Tags.of( ShardwiseMeters.TAG_REASON, reason ).and( common ) ).increment();
	}

	@Override
	public void bindBreaker(String shard, ShardRole role, String pool, CircuitBreaker breaker) {
		String r = role.name().toLowerCase( java.util.Locale.ROOT );
		List<Meter> bound = new ArrayList<>();
		for ( CircuitBreaker.State state : CircuitBreaker.State.values() ) {
			bound.add( Gauge.builder( ShardwiseMeters.BREAKER_STATE, breaker, b -> b.getState() == state ? 1 : 0 )
					.description( "Circuit breaker state of a shard pool (1 = current)" )
					.tags( ShardwiseMeters.TAG_SHARD, shard, ShardwiseMeters.TAG_ROLE, r, ShardwiseMeters.TAG_POOL, pool,
							"state", state.name().toLowerCase( java.util.Locale.ROOT ) )
					.tags( common ).register( registry ) );
		}
		bound.add( Gauge.builder( ShardwiseMeters.BREAKER_FAILURE_RATE, breaker, b -> b.getMetrics().getFailureRate() )
				.description( "Failure rate of the breaker's window in percent (-1 until it is full)" )
				.tags( ShardwiseMeters.TAG_SHARD, shard, ShardwiseMeters.TAG_ROLE, r, ShardwiseMeters.TAG_POOL, pool )
				.tags( common ).register( registry ) );
		bound.add( Gauge.builder( ShardwiseMeters.BREAKER_BUFFERED_CALLS, breaker, b -> b.getMetrics().getNumberOfFailedCalls() )
				.tags( ShardwiseMeters.TAG_SHARD, shard, ShardwiseMeters.TAG_ROLE, r, ShardwiseMeters.TAG_POOL, pool, "kind", "failed" )
				.tags( common ).register( registry ) );
		bound.add( Gauge.builder( ShardwiseMeters.BREAKER_BUFFERED_CALLS, breaker, b -> b.getMetrics().getNumberOfSuccessfulCalls() )
				.tags( ShardwiseMeters.TAG_SHARD, shard, ShardwiseMeters.TAG_ROLE, r, ShardwiseMeters.TAG_POOL, pool, "kind", "successful" )
				.tags( common ).register( registry ) );
		bound.add( FunctionCounter.builder( ShardwiseMeters.BREAKER_NOT_PERMITTED, breaker, b -> b.getMetrics().getNumberOfNotPermittedCalls() )
				.description( "Sessions refused at once by an open circuit breaker" )
				.tags( ShardwiseMeters.TAG_SHARD, shard, ShardwiseMeters.TAG_ROLE, r, ShardwiseMeters.TAG_POOL, pool )
				.tags( common ).register( registry ) );
		synchronized ( meters ) {
			breakers.add( breaker );
			meters.addAll( bound );
		}
	}

	@Override
	public void unbindPool(String pool) {
		synchronized ( meters ) {
			meters.removeIf( m -> {
				if ( pool.equals( m.getId().getTag( ShardwiseMeters.TAG_POOL ) ) ) {
					registry.remove( m );
					return true;
				}
				return false;
			} );
			breakers.removeIf( b -> b.getName().equals( pool ) );
		}
	}

	@Override
	public void healthCheck(String shard, ShardRole role, String pool, boolean passed) {
		io.micrometer.core.instrument.Counter c = io.micrometer.core.instrument.Counter.builder( ShardwiseMeters.HEALTH_CHECKS )
				.description( "Health checks of shard pools" )
				.tags( ShardwiseMeters.TAG_SHARD, shard, ShardwiseMeters.TAG_ROLE, role.name().toLowerCase( java.util.Locale.ROOT ),
						ShardwiseMeters.TAG_POOL, pool, "result", passed ? "up" : "down" )
				.tags( common ).register( registry );
		synchronized ( meters ) {
			if ( !meters.contains( c ) ) {
				meters.add( c );
			}
		}
		c.increment();
	}

	@Override
	public void shardRemoved(String shard) {
		synchronized ( meters ) {
			meters.removeIf( m -> {
				if ( shard.equals( m.getId().getTag( ShardwiseMeters.TAG_SHARD ) ) ) {
					registry.remove( m );
					return true;
				}
				return false;
			} );
		}
	}

	@Override
	public void close() {
		synchronized ( meters ) {
			meters.forEach( registry::remove );
			meters.clear();
		}
		synchronized ( poolViews ) {
			poolViews.clear();
		}
	}
}
