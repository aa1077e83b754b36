package io.shardwise.hazelcast.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.shardwise.topology.Credentials;
import io.shardwise.topology.Endpoint;
import io.shardwise.topology.PlacementStatus;
import io.shardwise.topology.PoolSettings;
import io.shardwise.topology.Secret;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

/**
 * Conversions between the topology model and the records kept in Hazelcast. Shard names of placements are shared
 * (one string per shard name), so that a million cached placements do not hold a million copies of 64 names.
 */
public final class Records {
	private static final ConcurrentHashMap<String, String> SHARD_NAMES = new ConcurrentHashMap<>();

	private Records() {
	}

	public static PlacementRecord record(TenantPlacement p) {
		return new PlacementRecord( p.shard(), p.tier().name(), p.status().name(), p.version() );
	}

	public static TenantPlacement placement(String tenantId, PlacementRecord r) {
		String shard = SHARD_NAMES.size() < 100_000 ? SHARD_NAMES.computeIfAbsent( r.shard(), n -> n ) : r.shard();
		return new TenantPlacement( tenantId, shard, TenantTier.valueOf( r.tier() ), PlacementStatus.valueOf( r.status() ),
				r.version() );
	}

	public static ShardRecord record(Shard s) {
		List<Endpoint> reads = s.reads();
		EndpointRecord[] readRecords = new EndpointRecord[reads.size()];
		for ( int i = 0; i < readRecords.length; i++ ) {
			readRecords[i] = endpoint( reads.get( i ) );
		}
		PoolSettings p = s.pool();
		PoolRecord pool = p.equals( PoolSettings.INHERIT ) ? null
				: new PoolRecord( p.maximumPoolSize(), p.minimumIdle(), millis( p.maxLifetime() ),
						millis( p.connectionTimeout() ), millis( p.idleTimeout() ) );
		return new ShardRecord( s.status().name(), s.capacityWeight(), s.version(), s.credentials().username(),
				s.credentials().password().raw(), endpoint( s.write() ), readRecords,
				s.analytics() == null ? null : endpoint( s.analytics() ), pool );
	}

	public static Shard shard(String name, ShardRecord r) {
		Shard.Builder b = Shard.builder( name )
				.status( ShardStatus.valueOf( r.status() ) )
				.capacityWeight( r.capacityWeight() )
				.version( r.version() )
				.credentials( Credentials.of( r.username(), Secret.of( r.password() ) ) )
				.write( endpoint( r.write() ) );
		List<Endpoint> reads = new ArrayList<>();
		if ( r.reads() != null ) {
			for ( EndpointRecord e : r.reads() ) {
				reads.add( endpoint( e ) );
			}
		}
		b.reads( reads );
		if ( r.analytics() != null ) {
			b.analytics( endpoint( r.analytics() ) );
		}
		if ( r.pool() != null ) {
			PoolRecord p = r.pool();
			b.pool( PoolSettings.builder()
					.maximumPoolSize( p.maximumPoolSize() )
					.minimumIdle( p.minimumIdle() )
					.maxLifetime( duration( p.maxLifetimeMillis() ) )
					.connectionTimeout( duration( p.connectionTimeoutMillis() ) )
					.idleTimeout( duration( p.idleTimeoutMillis() ) )
					.build() );
		}
		return b.build();
	}

	private static EndpointRecord endpoint(Endpoint e) {
		Credentials c = e.credentials();
		return new EndpointRecord( e.jdbcUrl(), c == null ? null : c.username(), c == null ? null : c.password().raw() );
	}

	private static Endpoint endpoint(EndpointRecord e) {
		Credentials c = e.username() == null && e.password() == null ? null
				: Credentials.of( e.username(), Secret.of( e.password() ) );
		return Endpoint.of( e.url(), c );
	}

	private static Long millis(Duration d) {
		return d == null ? null : d.toMillis();
	}

	private static Duration duration(Long millis) {
		return millis == null ? null : Duration.ofMillis( millis );
	}
}
