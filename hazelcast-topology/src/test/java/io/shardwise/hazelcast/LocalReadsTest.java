package io.shardwise.hazelcast;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import jakarta.persistence.EntityManagerFactory;

import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nearcache.NearCacheStats;

import io.shardwise.Shardwise;
import io.shardwise.ShardwiseSettings;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.internal.ShardwiseRuntime;
import io.shardwise.internal.hibernate.ShardwiseConnectionProvider;
import io.shardwise.it.fixtures.RequiresDatabase;
import io.shardwise.topology.TenantPlacement;

import static io.shardwise.hazelcast.HazelcastCluster.awaitRoute;
import static io.shardwise.hazelcast.HazelcastCluster.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * In the steady state a member routes without the network: a route-cache miss for a tenant whose entry another member
 * owns is answered by the local near cache, which a change on another member invalidates (one by one, not batched).
 * A member whose route-cache hit ratio drops pulls the whole topology from the maps.
 */
@RequiresDatabase(DatabaseKind.POSTGRESQL)
class LocalReadsTest {
	private HazelcastCluster cluster;

	@AfterEach
	void stop() {
		if ( cluster != null ) {
			cluster.close();
		}
	}

	@Test
	void routeCacheMissesAreServedFromTheNearCacheWhichChangesInvalidate() throws Exception {
		cluster = new HazelcastCluster( 2, 10 );
		List<String> tenants = IntStream.range( 0, 30 ).mapToObj( i -> "tenant-" + i ).toList();
		cluster.seed( tenants );
		EntityManagerFactory m1 = cluster.startMember();
		EntityManagerFactory m2 = cluster.startMember();
		HazelcastInstance hz2 = store( m2 ).hazelcastInstance();
		// partitions settle after the second member joined: pick a tenant that member 1 owns for good
		await().atMost( Duration.ofSeconds( 30 ) ).until( () -> hz2.getPartitionService().isClusterSafe() );
		String remote = tenants.stream()
				.filter( t -> !hz2.getPartitionService().getPartition( t ).getOwner().localMember() )
				.findFirst().orElseThrow();
		IMap<String, ?> placements = hz2.getMap( "shardwise.placements" );
		NearCacheStats near = placements.getLocalMapStats().getNearCacheStats();

		TenantPlacement v1 = Shardwise.of( m2 ).placement( remote ).orElseThrow();
		long misses = near.getMisses();
		long hits = near.getHits();
		for ( int i = 0; i < 5; i++ ) {
			Shardwise.of( m2 ).invalidateRoutes( remote );
			assertThat( Shardwise.of( m2 ).placement( remote ) ).contains( v1 );
		}
		assertThat( near.getHits() - hits ).as( "route-cache misses answered locally" ).isEqualTo( 5 );
		assertThat( near.getMisses() ).as( "near-cache misses (network reads)" ).isEqualTo( misses );

		// a change on member 1 invalidates member 2's near-cache entry: the next read fetches the new version
		TenantPlacement v2 = v1.movedTo( v1.shard().equals( "s0" ) ? "s1" : "s0" );
		assertThat( store( m1 ).replacePlacement( 1, v2 ) ).isTrue();
		awaitRoute( m2, v2 );
		// the invalidation travels beside the entry event, not in a batch (which would take up to 10 s)
		await().atMost( Duration.ofSeconds( 3 ) ).until( () -> store( m2 ).findPlacement( remote ).orElseThrow().equals( v2 ) );
		Shardwise.of( m2 ).invalidateRoutes( remote );
		assertThat( Shardwise.of( m2 ).placement( remote ) ).contains( v2 );
	}

	@Test
	void aMemberWhoseHitRatioDropsPullsTheWholeTopologyFromTheMaps() throws Exception {
		cluster = new HazelcastCluster( 2, 10 );
		List<String> tenants = IntStream.range( 0, 300 ).mapToObj( i -> "tenant-" + i ).toList();
		cluster.seed( tenants );
		// a short window (checked every 100 ms) and a small minimum, so that a cold member trips it at once
		EntityManagerFactory m = cluster.startMember( Map.of( ShardwiseSettings.CACHE_HEALTH_WINDOW, "3s",
				ShardwiseSettings.CACHE_HEALTH_MIN_REQUESTS, "20" ) );
		ShardwiseRuntime runtime = ( (ShardwiseConnectionProvider) m.unwrap( SessionFactoryImplementor.class )
				.getServiceRegistry().getService( MultiTenantConnectionProvider.class ) ).runtime();
		AtomicInteger next = new AtomicInteger();
		await().atMost( Duration.ofSeconds( 20 ) ).until( () -> {
			HazelcastCluster.writeNote( m, tenants.get( next.getAndIncrement() % tenants.size() ), "cold" );
			return runtime.cacheHealth().pulls() >= 1;
		} );
		assertThat( runtime.cache().size() ).as( "every placement pulled into the route cache" ).isEqualTo( tenants.size() );
		long hits = runtime.cache().hits();
		HazelcastCluster.writeNote( m, "tenant-299", "warm" );
		assertThat( runtime.cache().hits() ).isGreaterThan( hits );
	}
}
