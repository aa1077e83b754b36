package io.shardwise.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.codec.digest.MurmurHash3;
import org.junit.jupiter.api.Test;

import io.shardwise.topology.PlacementStatus;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;

/** The open-addressing route cache: fingerprints, route words, versions, expiry, removal, growth, and lookups racing changes. */
class RouteCacheTest {
	private final AtomicLong now = new AtomicLong( 5_000_000_000L );
	private final RouteCache cache = new RouteCache( Duration.ofSeconds( 60 ), now::get );

	private static TenantPlacement placement(String tenant, String shard, long version) {
		return new TenantPlacement( tenant, shard, TenantTier.SMALL, PlacementStatus.ACTIVE, version );
	}

	private String shardOf(String tenant) {
		TenantPlacement p = cache.peek( tenant );
		return p == null ? null : p.shard();
	}

	@Test
	void theFingerprintIsMurmurHash3x64Of128BitsOverTheUtf16leBytes() {
		Random random = new Random( 42 );
		List<String> ids = new ArrayList<>( List.of( "", "a", "tenant-1", "tenant-12345678", "Ünïcödé-tenant-ß", "日本語テナント" ) );
		for ( int length = 0; length <= 40; length++ ) {
			StringBuilder b = new StringBuilder();
			for ( int i = 0; i < length; i++ ) {
				b.append( (char) ( random.nextBoolean() ? 'a' + random.nextInt( 26 ) : random.nextInt( 0xD000 ) ) );
			}
			ids.add( b.toString() );
		}
		for ( String id : ids ) {
			byte[] bytes = id.getBytes( StandardCharsets.UTF_16LE );
			assertThat( RouteCache.fingerprint( id ) ).as( "fingerprint of '%s'", id )
					.containsExactly( MurmurHash3.hash128x64( bytes, 0, bytes.length, 0 ) );
		}
	}

	@Test
	void tenantIdsWithEqualStringHashCodesKeepTheirOwnRoutes() {
		assertThat( "Aa".hashCode() ).isEqualTo( "BB".hashCode() );
		cache.put( placement( "Aa", "s1", 1 ), null );
		cache.put( placement( "BB", "s2", 1 ), null );
		cache.put( placement( "AaAa", "s3", 1 ), null );
		assertThat( shardOf( "Aa" ) ).isEqualTo( "s1" );
		assertThat( shardOf( "BB" ) ).isEqualTo( "s2" );
		assertThat( shardOf( "AaAa" ) ).isEqualTo( "s3" );
		assertThat( cache.get( "BBBB" ) ).as( "not cached, same String.hashCode as AaAa" ).isEqualTo( RouteCache.MISS );
		assertThat( cache.size() ).isEqualTo( 3 );
	}

	@Test
	void aLookupMatchesAnEqualStringThatIsNotTheCachedInstance() {
		cache.put( placement( "tenant-77", "s1", 1 ), null );
		String built = new StringBuilder( "tenant-" ).append( 77 ).toString();
		long route = cache.get( built );
		assertThat( route ).isNotEqualTo( RouteCache.MISS );
		assertThat( RouteCache.status( route ) ).isEqualTo( PlacementStatus.ACTIVE );
		assertThat( cache.peek( built ).tenantId() ).isEqualTo( "tenant-77" );
	}

	@Test
	void anOlderVersionNeverReplacesANewerOne() {
		long five = cache.put( placement( "t1", "s2", 5 ), null );
		long kept = cache.put( placement( "t1", "s1", 4 ), null );
		assertThat( kept ).isEqualTo( five );
		assertThat( cache.peek( "t1" ).version() ).isEqualTo( 5 );
		cache.put( new TenantPlacement( "t1", "s3", TenantTier.SMALL, PlacementStatus.SUSPENDED, 6 ), null );
		assertThat( shardOf( "t1" ) ).isEqualTo( "s3" );
		assertThat( RouteCache.status( cache.get( "t1" ) ) ).isEqualTo( PlacementStatus.SUSPENDED );
		assertThat( cache.size() ).isEqualTo( 1 );
	}

	@Test
	void anEntryExpiresAfterTheTtlOnTheInjectedClock() {
		cache.put( placement( "t1", "s1", 1 ), null );
		now.addAndGet( Duration.ofSeconds( 59 ).toNanos() );
		assertThat( cache.get( "t1" ) ).isNotEqualTo( RouteCache.MISS );
		now.addAndGet( Duration.ofSeconds( 1 ).toNanos() );
		assertThat( cache.get( "t1" ) ).isEqualTo( RouteCache.MISS );
		assertThat( cache.placement( "t1" ) ).isNull();
		assertThat( cache.requests() ).isEqualTo( 3 );
		assertThat( cache.hits() ).isEqualTo( 1 );
		cache.put( placement( "t1", "s1", 1 ), null );
		assertThat( cache.get( "t1" ) ).as( "refilled" ).isNotEqualTo( RouteCache.MISS );
		assertThat( cache.size() ).isEqualTo( 1 );
	}

	@Test
	void removeAndRemoveShardDropOnlyWhatTheyName() {
		for ( int i = 0; i < 300; i++ ) {
			cache.put( placement( "t" + i, "s" + ( i % 3 ), 1 ), null );
		}
		cache.remove( "t0" );
		cache.remove( "not-cached" );
		assertThat( cache.get( "t0" ) ).isEqualTo( RouteCache.MISS );
		assertThat( cache.size() ).isEqualTo( 299 );
		cache.put( placement( "t0", "s0", 2 ), null );
		assertThat( shardOf( "t0" ) ).as( "a removed slot revived by its own tenant" ).isEqualTo( "s0" );
		cache.remove( "t0" );
		cache.removeShard( "s1" );
		assertThat( cache.size() ).isEqualTo( 199 );
		for ( int i = 1; i < 300; i++ ) {
			TenantPlacement p = cache.peek( "t" + i );
			if ( i % 3 == 1 ) {
				assertThat( p ).as( "t%d on s1", i ).isNull();
			}
			else {
				assertThat( p.tenantId() ).isEqualTo( "t" + i );
			}
		}
		cache.clear();
		assertThat( cache.size() ).isZero();
		assertThat( cache.get( "t2" ) ).isEqualTo( RouteCache.MISS );
	}

	@Test
	void tombstonesAreReusedOrSweptSoChurnDoesNotGrowTheTable() {
		for ( int i = 0; i < 1_000; i++ ) {
			cache.put( placement( "steady-" + i, "s1", 1 ), null );
		}
		int capacity = cache.capacity();
		for ( int round = 0; round < 200; round++ ) {
			for ( int i = 0; i < 100; i++ ) {
				cache.put( placement( "churn-" + round + "-" + i, "s2", 1 ), null );
			}
			for ( int i = 0; i < 100; i++ ) {
				cache.remove( "churn-" + round + "-" + i );
			}
		}
		assertThat( cache.size() ).isEqualTo( 1_000 );
		assertThat( cache.capacity() ).as( "20,000 tenants came and went" ).isLessThanOrEqualTo( capacity * 2 );
		for ( int i = 0; i < 1_000; i++ ) {
			assertThat( shardOf( "steady-" + i ) ).as( "steady-%d", i ).isEqualTo( "s1" );
		}
		cache.removeShard( "s1" );
		cache.put( placement( "last", "s1", 1 ), null );
		assertThat( cache.capacity() ).as( "shrinks once nearly empty" ).isLessThan( capacity );
		assertThat( shardOf( "last" ) ).isEqualTo( "s1" );
	}

	private static final PlacementStatus[] STATUS_OF = { PlacementStatus.ACTIVE, PlacementStatus.READ_ONLY,
			PlacementStatus.SUSPENDED };

	private static TenantPlacement racePlacement(int i, long version) {
		return new TenantPlacement( "tenant-" + i, "s" + ( i % 8 ), TenantTier.SMALL, STATUS_OF[i % 3], version );
	}

	@Test
	void lookupsRacingPutsRemovesAndGrowthNeverSeeAnotherTenantsRoute() throws Exception {
		int tenants = 20_000;
		AtomicBoolean stop = new AtomicBoolean();
		ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
		AtomicLong hits = new AtomicLong();
		List<Thread> readers = new ArrayList<>();
		for ( int r = 0; r < 3; r++ ) {
			int seed = r;
			Thread reader = new Thread( () -> {
				Random random = new Random( seed );
				while ( !stop.get() ) {
					String id = "tenant-" + random.nextInt( tenants );
					long route = cache.get( id );
					int n = Integer.parseInt( id.substring( 7 ) );
					if ( route != RouteCache.MISS ) {
						hits.incrementAndGet();
						// the status encodes the tenant (n % 3), so a route word of another tenant shows
						if ( RouteCache.status( route ) != STATUS_OF[n % 3] ) {
							wrong.add( id + " -> " + RouteCache.status( route ) );
						}
					}
					TenantPlacement p = cache.peek( id );
					if ( p != null && ( !p.tenantId().equals( id ) || !p.shard().equals( "s" + n % 8 ) ) ) {
						wrong.add( id + " -> " + p );
					}
				}
			} );
			reader.start();
			readers.add( reader );
		}
		for ( int version = 1; version <= 3; version++ ) {
			for ( int i = 0; i < tenants; i++ ) {
				cache.put( racePlacement( i, version ), null );
				if ( i % 3 == 0 ) {
					cache.remove( "tenant-" + ( i / 2 ) );
				}
			}
			if ( version == 2 ) {
				cache.clear();
			}
		}
		for ( int i = 0; i < tenants; i++ ) {
			cache.put( racePlacement( i, 3 ), null );
		}
		stop.set( true );
		for ( Thread reader : readers ) {
			reader.join();
		}
		assertThat( wrong ).as( "routes returned for another tenant" ).isEmpty();
		assertThat( hits.get() ).as( "the readers did hit while the writer worked" ).isPositive();
		assertThat( cache.size() ).isEqualTo( tenants );
		for ( int i = 0; i < tenants; i++ ) {
			assertThat( cache.peek( "tenant-" + i ).version() ).isEqualTo( 3 );
			assertThat( RouteCache.status( cache.get( "tenant-" + i ) ) ).isEqualTo( STATUS_OF[i % 3] );
		}
	}
}
