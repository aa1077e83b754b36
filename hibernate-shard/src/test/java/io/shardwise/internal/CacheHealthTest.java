package io.shardwise.internal;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.internal.placement.PlacementStrategies;
import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The route cache's hit ratio over a sliding window, on an injected clock; and the full pull it triggers. */
class CacheHealthTest {
	private static final long SECOND = 1_000_000_000L;

	private final AtomicLong now = new AtomicLong( 1_000 * SECOND );
	private final AtomicLong requests = new AtomicLong();
	private final AtomicLong hits = new AtomicLong();

	private CacheHealth health(CacheHealth.Policy policy) {
		return new CacheHealth( policy, requests::get, hits::get, now::get );
	}

	/** {@code n} lookups, {@code hit} of them hits, spread over {@code seconds}, checking every 10 s as misses do. */
	private boolean traffic(CacheHealth health, int seconds, long n, long hit) {
		boolean due = false;
		for ( int s = 0; s < seconds; s += 10 ) {
			requests.addAndGet( n * 10 / seconds );
			hits.addAndGet( hit * 10 / seconds );
			now.addAndGet( 10 * SECOND );
			due |= health.reloadDue();
		}
		return due;
	}

	@Test
	void aHealthyCacheNeverAsksForAPull() {
		CacheHealth health = health( CacheHealth.Policy.DEFAULT );
		assertThat( traffic( health, 600, 60_000, 57_600 ) ).as( "96% hits for 10 minutes" ).isFalse();
		assertThat( health.lastRatio() ).isCloseTo( 0.96, within( 0.001 ) );
	}

	@Test
	void aRatioBelowTheMinimumAsksForOnePullAndANewWindowStartsAfterIt() {
		CacheHealth health = health( CacheHealth.Policy.DEFAULT );
		assertThat( traffic( health, 300, 30_000, 30_000 ) ).isFalse();
		// a burst of misses drags the 5-minute ratio below 95%
		requests.addAndGet( 3_000 );
		now.addAndGet( 10 * SECOND );
		assertThat( health.reloadDue() ).isTrue();
		assertThat( health.describe() ).startsWith( "hit ratio 90.6% over the last PT5M (32000 lookups), minimum 95%" );
		assertThat( health.reloadDue() ).as( "asked once: the caller pulls" ).isFalse();
		now.addAndGet( 60 * SECOND );
		assertThat( health.reloadDue() ).as( "still not until the pull restarts the window" ).isFalse();

		health.restart();
		assertThat( health.pulls() ).isEqualTo( 1 );
		assertThat( traffic( health, 300, 30_000, 29_700 ) ).as( "the burst before the pull no longer counts" ).isFalse();
		assertThat( health.lastRatio() ).isCloseTo( 0.99, within( 0.001 ) );
	}

	@Test
	void theWindowSlidesOldLookupsOut() {
		CacheHealth health = health( new CacheHealth.Policy( 0.5, Duration.ofMinutes( 5 ), 1000 ) );
		assertThat( traffic( health, 60, 1_000, 600 ) ).isFalse();
		assertThat( health.lastRatio() ).isCloseTo( 0.6, within( 0.005 ) );
		assertThat( traffic( health, 360, 6_000, 6_000 ) ).isFalse();
		assertThat( health.lastRatio() ).as( "the first minute's misses slid out of the 5-minute window" ).isEqualTo( 1.0 );
		assertThat( health.lastRequests() ).as( "5 minutes of 996 lookups a minute" ).isBetween( 4_900L, 5_200L );
	}

	@Test
	void aWindowWithTooFewLookupsIsNotJudgedAndZeroTurnsTheCheckOff() {
		CacheHealth cold = health( CacheHealth.Policy.DEFAULT );
		assertThat( traffic( cold, 300, 900, 0 ) ).as( "900 misses: fewer than 1000 lookups" ).isFalse();
		assertThat( traffic( cold, 10, 200, 0 ) ).as( "1100 misses" ).isTrue();

		CacheHealth off = health( new CacheHealth.Policy( 0, Duration.ofMinutes( 5 ), 1 ) );
		assertThat( traffic( off, 300, 10_000, 0 ) ).isFalse();
	}

	@Test
	void settingsAreReadAndBadValuesNamed() {
		assertThat( CacheHealth.Policy.from( Map.of() ) ).isEqualTo( CacheHealth.Policy.DEFAULT );
		assertThat( CacheHealth.Policy.from( Map.of( ShardwiseSettings.CACHE_HEALTH_MIN_HIT_RATIO, "0.9",
				ShardwiseSettings.CACHE_HEALTH_WINDOW, "1m", ShardwiseSettings.CACHE_HEALTH_MIN_REQUESTS, "50" ) ) )
				.isEqualTo( new CacheHealth.Policy( 0.9, Duration.ofMinutes( 1 ), 50 ) );
		assertThatThrownBy( () -> CacheHealth.Policy.from( Map.of( ShardwiseSettings.CACHE_HEALTH_MIN_HIT_RATIO, "95%" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessage( "property 'shardwise.cache.health.min-hit-ratio' must be a number between 0 (off) and 1, such "
						+ "as 0.95, but was '95%' (default: 0.95)" );
		assertThatThrownBy( () -> CacheHealth.Policy.from( Map.of( ShardwiseSettings.CACHE_HEALTH_WINDOW, "0s" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class ).hasMessageContaining( "must be a positive duration" );
	}

	/** A real in-memory store that counts the full reads the router makes. */
	private static final class CountingStore extends InMemoryTopologyStore {
		final AtomicInteger fullReads = new AtomicInteger();
		final AtomicInteger singleReads = new AtomicInteger();

		@Override
		public List<TenantPlacement> placements() {
			fullReads.incrementAndGet();
			return super.placements();
		}

		@Override
		public Optional<TenantPlacement> findPlacement(String tenantId) {
			singleReads.incrementAndGet();
			return super.findPlacement( tenantId );
		}
	}

	@Test
	void whenTheRatioDropsTheRouterPullsEveryPlacementBeforeRoutingFurther() throws Exception {
		String run = UUID.randomUUID().toString().substring( 0, 8 );
		CountingStore store = new CountingStore();
		store.addShard( Shard.builder( "a" ).write( "jdbc:h2:mem:health-a-" + run + ";DB_CLOSE_DELAY=-1" ).build() );
		store.addShard( Shard.builder( "b" ).write( "jdbc:h2:mem:health-b-" + run + ";DB_CLOSE_DELAY=-1" ).build() );
		for ( int i = 0; i < 200; i++ ) {
			store.placeIfAbsent( TenantPlacement.of( "t" + i, i % 2 == 0 ? "a" : "b", TenantTier.SMALL ) );
		}
		ShardwiseConfig config = ShardwiseConfig.from( Map.of( ShardwiseSettings.POOL_MAXIMUM_SIZE, "2",
				ShardwiseSettings.POOL_MINIMUM_IDLE, "0", ShardwiseSettings.CACHE_TTL, "1h" ) );
		// default ratio and window, a small minimum of lookups
		Map<String, Object> settings = Map.of( ShardwiseSettings.CACHE_HEALTH_MIN_REQUESTS, "20" );
		try ( ShardwiseRuntime runtime = new ShardwiseRuntime( config, store, true,
				PlacementStrategies.create( "consistent-hash", 64 ), ShardMetricsTracker.NOOP, now::get, settings ) ) {
			// a cold cache: every lookup misses; the check runs every 10 s of the clock
			int routed = 0;
			while ( runtime.cacheHealth().pulls() == 0 ) {
				now.addAndGet( 10 * SECOND );
				try ( Connection c = runtime.connection( "t" + routed++ ) ) {
					assertThat( c.isValid( 1 ) ).isTrue();
				}
				assertThat( routed ).as( "lookups before the pull" ).isLessThan( 40 );
			}
			assertThat( routed ).isGreaterThanOrEqualTo( 20 );
			assertThat( store.fullReads ).as( "one full pull" ).hasValue( 1 );
			assertThat( runtime.cache().size() ).isEqualTo( 200 );
			int singleReads = store.singleReads.get();
			for ( int i = 0; i < 200; i++ ) {
				try ( Connection c = runtime.connection( "t" + i ) ) {
					assertThat( c.isValid( 1 ) ).isTrue();
				}
			}
			assertThat( store.singleReads ).as( "every later lookup is a hit" ).hasValue( singleReads );
		}
	}
}
