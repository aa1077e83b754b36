package io.shardwise.hazelcast;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import jakarta.persistence.EntityManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.shardwise.Shardwise;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.RequiresDatabase;
import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.topology.TenantPlacement;

import static io.shardwise.hazelcast.HazelcastCluster.awaitRoute;
import static io.shardwise.hazelcast.HazelcastCluster.store;
import static io.shardwise.hazelcast.HazelcastCluster.writeNote;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three application members (each a persistence unit with an embedded Hazelcast member) on loopback, the catalog and
 * two shards on the local PostgreSQL: changes made on one member reach the routing of the others, and concurrent
 * compare-and-sets from all members have exactly one winner per version.
 */
@RequiresDatabase(DatabaseKind.POSTGRESQL)
class ClusterRoutingTest {
	private HazelcastCluster cluster;

	@AfterEach
	void stop() {
		if ( cluster != null ) {
			cluster.close();
		}
	}

	@Test
	void aPlacementChangedOnOneMemberIsRoutedToTheNewShardByTheOthers() throws Exception {
		cluster = new HazelcastCluster( 2, 10 );
		List<String> tenants = IntStream.range( 0, 20 ).mapToObj( i -> "tenant-" + i ).toList();
		cluster.seed( tenants );
		EntityManagerFactory m1 = cluster.startMember();
		EntityManagerFactory m2 = cluster.startMember();
		EntityManagerFactory m3 = cluster.startMember();
		assertThat( store( m3 ).hazelcastInstance().getCluster().getMembers() ).hasSize( 3 );

		// every member routes every tenant by the catalog's placement (tenant-i on s(i % 2))
		for ( int i = 0; i < tenants.size(); i++ ) {
			writeNote( List.of( m1, m2, m3 ).get( i % 3 ), tenants.get( i ), "before" );
			assertThat( cluster.rows( i % 2, tenants.get( i ) ) ).isEqualTo( 1 );
			assertThat( cluster.rows( ( i + 1 ) % 2, tenants.get( i ) ) ).isZero();
		}
		// members 2 and 3 have tenant-0 (on s0, v1) in their route caches
		writeNote( m2, "tenant-0", "m2 before" );
		writeNote( m3, "tenant-0", "m3 before" );
		assertThat( cluster.rows( 0, "tenant-0" ) ).isEqualTo( 3 );

		TenantPlacement v1 = Shardwise.of( m1 ).placement( "tenant-0" ).orElseThrow();
		TenantPlacement v2 = v1.movedTo( "s1" );
		assertThat( store( m1 ).replacePlacement( v1.version(), v2 ) ).isTrue();

		awaitRoute( m2, v2 );
		awaitRoute( m3, v2 );
		writeNote( m2, "tenant-0", "m2 after" );
		writeNote( m3, "tenant-0", "m3 after" );
		assertThat( cluster.rows( 1, "tenant-0" ) ).as( "rows written after the move, on the new shard" ).isEqualTo( 2 );
		assertThat( cluster.rows( 0, "tenant-0" ) ).as( "rows on the old shard: only those from before" ).isEqualTo( 3 );
		try ( JdbcCatalogTopologyStore catalog = cluster.openCatalog() ) {
			assertThat( catalog.findPlacement( "tenant-0" ) ).as( "written through to the catalog" ).contains( v2 );
		}

		// a rebalance evicts every member's routes: the broadcast returns once every member has applied it
		for ( EntityManagerFactory m : List.of( m1, m2, m3 ) ) {
			assertThat( Shardwise.of( m ).cacheStatistics().get( "size" ) ).isPositive();
		}
		assertThat( store( m2 ).invalidateEverywhere( "rebalance 42" ) ).as( "members that acknowledged" ).isEqualTo( 3 );
		for ( EntityManagerFactory m : List.of( m1, m2, m3 ) ) {
			assertThat( Shardwise.of( m ).cacheStatistics().get( "size" ) ).as( "routes cached after the broadcast" ).isZero();
		}
		writeNote( m1, "tenant-0", "after the rebalance" );
		assertThat( cluster.rows( 1, "tenant-0" ) ).isEqualTo( 3 );
	}

	@Test
	void ofConcurrentCompareAndSetsFromThreeMembersExactlyOneWinsPerVersion() throws Exception {
		cluster = new HazelcastCluster( 3, 10 );
		cluster.seed( List.of( "contested" ) );
		List<EntityManagerFactory> members = List.of( cluster.startMember(), cluster.startMember(), cluster.startMember() );
		int threadsPerMember = 4;
		ExecutorService pool = Executors.newFixedThreadPool( members.size() * threadsPerMember );
		try {
			for ( long version = 1; version <= 5; version++ ) {
				TenantPlacement current = store( members.get( 0 ) ).findPlacement( "contested" ).orElseThrow();
				assertThat( current.version() ).isEqualTo( version );
				CountDownLatch start = new CountDownLatch( 1 );
				List<Future<Boolean>> attempts = new ArrayList<>();
				List<TenantPlacement> proposals = new ArrayList<>();
				for ( int m = 0; m < members.size(); m++ ) {
					for ( int t = 0; t < threadsPerMember; t++ ) {
						HazelcastTopologyStore store = store( members.get( m ) );
						TenantPlacement proposal = current.movedTo( "s" + ( ( m + t ) % 3 ) );
						proposals.add( proposal );
						long expected = version;
						attempts.add( pool.submit( (Callable<Boolean>) () -> {
							start.await();
							return store.replacePlacement( expected, proposal );
						} ) );
					}
				}
				start.countDown();
				List<TenantPlacement> winners = new ArrayList<>();
				for ( int i = 0; i < attempts.size(); i++ ) {
					if ( attempts.get( i ).get() ) {
						winners.add( proposals.get( i ) );
					}
				}
				assertThat( winners ).as( "winners of version %d", version + 1 ).hasSize( 1 );
				TenantPlacement winner = winners.get( 0 );
				try ( JdbcCatalogTopologyStore catalog = cluster.openCatalog() ) {
					assertThat( catalog.findPlacement( "contested" ) ).contains( winner );
				}
				for ( EntityManagerFactory member : members ) {
					assertThat( store( member ).findPlacement( "contested" ) ).contains( winner );
					awaitRoute( member, winner );
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
	}
}
