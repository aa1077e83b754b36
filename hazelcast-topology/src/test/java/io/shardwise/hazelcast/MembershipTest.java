package io.shardwise.hazelcast;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import jakarta.persistence.EntityManagerFactory;

import org.hibernate.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.shardwise.Shardwise;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.RequiresDatabase;
import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static io.shardwise.hazelcast.HazelcastCluster.PROPAGATION;
import static io.shardwise.hazelcast.HazelcastCluster.awaitRoute;
import static io.shardwise.hazelcast.HazelcastCluster.store;
import static io.shardwise.hazelcast.HazelcastCluster.writeNote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Members leaving (killed in a forked JVM), the whole cluster restarting, members joining late and in the middle of
 * changes: every placement survives and every member ends on the catalog's topology.
 */
@RequiresDatabase(DatabaseKind.POSTGRESQL)
class MembershipTest {
	private HazelcastCluster cluster;

	@AfterEach
	void stop() {
		if ( cluster != null ) {
			cluster.close();
		}
	}

	private static List<String> tenants(int n) {
		return IntStream.range( 0, n ).mapToObj( i -> "tenant-" + i ).toList();
	}

	private Map<String, TenantPlacement> catalogPlacements() {
		try ( JdbcCatalogTopologyStore catalog = cluster.openCatalog() ) {
			Map<String, TenantPlacement> all = new HashMap<>();
			catalog.placements().forEach( p -> all.put( p.tenantId(), p ) );
			return all;
		}
	}

	@Test
	void killingAMemberInAForkedJvmUnderRoutingLoadLosesNoPlacementAndBreaksNoRoute() throws Exception {
		cluster = new HazelcastCluster( 2, 10 );
		List<String> tenants = tenants( 200 );
		cluster.seed( tenants );
		EntityManagerFactory m1 = cluster.startMember();
		EntityManagerFactory m2 = cluster.startMember();
		try ( ForkedMemberProcess forked = new ForkedMemberProcess( cluster.storeSettings() ) ) {
			forked.expect( Duration.ofSeconds( 90 ), "READY" );
			await().atMost( PROPAGATION ).until( () -> store( m1 ).hazelcastInstance().getCluster().getMembers().size() == 3 );

			// a change made in the other JVM reaches both local members' routing
			TenantPlacement before = Shardwise.of( m1 ).placement( "tenant-0" ).orElseThrow();
			assertThat( forked.command( "move tenant-0 s1", "MOVED", "LOST" ) ).isEqualTo( "MOVED 2" );
			awaitRoute( m1, before.movedTo( "s1" ) );
			awaitRoute( m2, before.movedTo( "s1" ) );

			// routing load on both local members; every 25 lookups a thread drops its member's routes, so that the
			// partitions of the killed member are read while they are being taken over
			AtomicBoolean running = new AtomicBoolean( true );
			AtomicLong routed = new AtomicLong();
			ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
			List<Thread> threads = new ArrayList<>();
			for ( EntityManagerFactory member : List.of( m1, m2 ) ) {
				Thread t = new Thread( () -> {
					int i = 0;
					while ( running.get() ) {
						String tenant = tenants.get( i++ % tenants.size() );
						try ( Session s = Shardwise.of( member ).openSession( tenant ) ) {
							s.createNativeQuery( "select 1", Integer.class ).getSingleResult();
							routed.incrementAndGet();
						}
						catch (Throwable e) {
							errors.add( e );
						}
						if ( i % 25 == 0 ) {
							Shardwise.of( member ).invalidateRoutes( null );
						}
					}
				}, "routing-load" );
				t.start();
				threads.add( t );
			}
			await().atMost( PROPAGATION ).until( () -> routed.get() >= 300 );
			forked.kill();
			long atKill = routed.get();
			await().atMost( Duration.ofSeconds( 60 ) )
					.until( () -> store( m1 ).hazelcastInstance().getCluster().getMembers().size() == 2 );
			await().atMost( Duration.ofSeconds( 60 ) ).until( () -> routed.get() >= atKill + 1000 );
			running.set( false );
			for ( Thread t : threads ) {
				t.join();
			}
			assertThat( errors ).as( "routing errors" ).isEmpty();
		}
		Map<String, TenantPlacement> catalog = catalogPlacements();
		assertThat( catalog ).hasSize( tenants.size() );
		for ( EntityManagerFactory member : List.of( m1, m2 ) ) {
			assertThat( store( member ).hazelcastInstance().getMap( "shardwise.placements" ).size() ).isEqualTo( tenants.size() );
			for ( String t : tenants ) {
				assertThat( store( member ).findPlacement( t ) ).as( "placement of %s", t ).contains( catalog.get( t ) );
			}
		}
	}

	@Test
	void stoppingEveryMemberAndStartingNewOnesRecoversEveryPlacementFromTheCatalog() throws Exception {
		cluster = new HazelcastCluster( 2, 10 );
		List<String> tenants = tenants( 300 );
		cluster.seed( tenants );
		EntityManagerFactory m1 = cluster.startMember();
		EntityManagerFactory m2 = cluster.startMember();
		List<TenantPlacement> changed = new ArrayList<>();
		for ( int i = 0; i < 10; i++ ) {
			TenantPlacement p = store( m1 ).findPlacement( tenants.get( i ) ).orElseThrow();
			TenantPlacement moved = p.movedTo( p.shard().equals( "s0" ) ? "s1" : "s0" );
			assertThat( store( m1 ).replacePlacement( p.version(), moved ) ).isTrue();
			changed.add( moved );
		}
		for ( int i = 0; i < 5; i++ ) {
			changed.add( Shardwise.of( m2 ).provision( "new-" + i, TenantTier.MEDIUM ) );
		}
		cluster.closeMember( m1 );
		cluster.closeMember( m2 );

		EntityManagerFactory m3 = cluster.startMember();
		EntityManagerFactory m4 = cluster.startMember();
		Map<String, TenantPlacement> catalog = catalogPlacements();
		assertThat( catalog ).hasSize( 305 );
		for ( TenantPlacement p : changed ) {
			assertThat( catalog.get( p.tenantId() ) ).isEqualTo( p );
		}
		for ( EntityManagerFactory member : List.of( m3, m4 ) ) {
			assertThat( store( member ).placements() ).containsExactlyInAnyOrderElementsOf( catalog.values() );
			assertThat( store( member ).shards() ).extracting( s -> s.name() ).containsExactly( "s0", "s1" );
		}
		// and they route by it: a moved tenant's rows land on its new shard
		TenantPlacement moved = changed.get( 0 );
		writeNote( m4, moved.tenantId(), "after restart" );
		assertThat( cluster.rows( moved.shard().equals( "s0" ) ? 0 : 1, moved.tenantId() ) ).isEqualTo( 1 );
		assertThat( cluster.rows( moved.shard().equals( "s0" ) ? 1 : 0, moved.tenantId() ) ).isZero();
	}

	@Test
	void membersJoiningDuringChangesAndLateEndOnTheCatalogTopologyAndRouteByItAtOnce() throws Exception {
		cluster = new HazelcastCluster( 2, 10 );
		List<String> tenants = tenants( 40 );
		cluster.seed( tenants );
		EntityManagerFactory m1 = cluster.startMember();
		EntityManagerFactory m2 = cluster.startMember();

		// a writer keeps moving twenty tenants back and forth through member 1 while member 3 joins
		AtomicBoolean moving = new AtomicBoolean( true );
		AtomicLong moves = new AtomicLong();
		ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
		Thread mover = new Thread( () -> {
			int i = 0;
			while ( moving.get() ) {
				String tenant = tenants.get( i++ % 20 );
				try {
					TenantPlacement p = store( m1 ).findPlacement( tenant ).orElseThrow();
					if ( store( m1 ).replacePlacement( p.version(), p.movedTo( p.shard().equals( "s0" ) ? "s1" : "s0" ) ) ) {
						moves.incrementAndGet();
					}
				}
				catch (Throwable e) {
					errors.add( e );
				}
			}
		}, "mover" );
		mover.start();
		await().atMost( PROPAGATION ).until( () -> moves.get() >= 20 );
		long beforeJoin = moves.get();
		EntityManagerFactory m3 = cluster.startMember();
		await().atMost( PROPAGATION ).until( () -> moves.get() >= beforeJoin + 40 );
		moving.set( false );
		mover.join();
		assertThat( errors ).isEmpty();

		Map<String, TenantPlacement> catalog = catalogPlacements();
		for ( EntityManagerFactory member : List.of( m1, m2, m3 ) ) {
			for ( String t : tenants ) {
				awaitRoute( member, catalog.get( t ) );
			}
		}

		// a member joining now routes by the current topology from its very first session
		EntityManagerFactory late = cluster.startMember();
		for ( String t : tenants.subList( 0, 20 ) ) {
			writeNote( late, t, "late" );
		}
		for ( String t : tenants.subList( 0, 20 ) ) {
			int shard = catalog.get( t ).shard().equals( "s0" ) ? 0 : 1;
			assertThat( cluster.rows( shard, t ) ).as( "rows of %s on its shard", t ).isEqualTo( 1 );
			assertThat( cluster.rows( 1 - shard, t ) ).as( "rows of %s elsewhere", t ).isZero();
		}
	}
}
