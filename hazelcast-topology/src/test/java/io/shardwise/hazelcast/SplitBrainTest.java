package io.shardwise.hazelcast;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.persistence.EntityManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import io.shardwise.Shardwise;
import io.shardwise.ShardwiseSettings;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.RequiresDatabase;
import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static io.shardwise.hazelcast.HazelcastCluster.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A split brain and its heal: two clusters of the same name run apart (as the two sides of a network split do), both
 * change the topology, then find each other and merge. The catalog lets only one side commit each version; after the
 * merge every member is on the catalog's topology.
 */
@RequiresDatabase(DatabaseKind.POSTGRESQL)
class SplitBrainTest {
	private HazelcastCluster cluster;
	private final List<HazelcastInstance> instances = new java.util.ArrayList<>();

	@AfterEach
	void stop() {
		try {
			if ( cluster != null ) {
				cluster.members.forEach( EntityManagerFactory::close );
				cluster.members.clear();
			}
			instances.forEach( HazelcastInstance::shutdown );
		}
		finally {
			if ( cluster != null ) {
				cluster.close();
			}
		}
	}

	private HazelcastInstance member(int port, int... peers) {
		Config config = new Config();
		config.setClusterName( cluster.clusterName );
		// look for other clusters of this name after 3 s, then every 2 s
		config.setProperty( "hazelcast.merge.first.run.delay.seconds", "3" );
		config.setProperty( "hazelcast.merge.next.run.delay.seconds", "2" );
		config.setProperty( "hazelcast.map.invalidation.batch.enabled", "false" );
		config.getNetworkConfig().setPort( port ).setPortAutoIncrement( false );
		config.getNetworkConfig().getInterfaces().setEnabled( true ).addInterface( "127.0.0.1" );
		config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled( false );
		var tcp = config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled( true ).setConnectionTimeoutSeconds( 1 );
		for ( int peer : peers ) {
			tcp.addMember( "127.0.0.1:" + peer );
		}
		HazelcastInstance hz = Hazelcast.newHazelcastInstance( config );
		instances.add( hz );
		return hz;
	}

	@Test
	void afterAHealEveryMemberIsOnTheCatalogsTopologyAndEachVersionWasCommittedByOneSide() throws Exception {
		cluster = new HazelcastCluster( 2, 4 );
		cluster.seed( List.of( "x", "y", "z" ) );
		int a1 = cluster.basePort, a2 = cluster.basePort + 1, a3 = cluster.basePort + 2, b1 = cluster.basePort + 3;
		// side B knows only the address of a side-A member that does not run yet: the two sides cannot see each other
		// until it starts (as during a network split), and then B finds A
		HazelcastInstance hzB = member( b1, b1, a3 );
		HazelcastInstance hzA1 = member( a1, a1, a2, a3 );
		HazelcastInstance hzA2 = member( a2, a1, a2, a3 );
		assertThat( hzA1.getCluster().getMembers() ).hasSize( 2 );
		assertThat( hzB.getCluster().getMembers() ).hasSize( 1 );
		EntityManagerFactory mA1 = cluster.startMember( Map.of( ShardwiseSettings.HAZELCAST_INSTANCE, hzA1 ) );
		EntityManagerFactory mA2 = cluster.startMember( Map.of( ShardwiseSettings.HAZELCAST_INSTANCE, hzA2 ) );
		EntityManagerFactory mB = cluster.startMember( Map.of( ShardwiseSettings.HAZELCAST_INSTANCE, hzB ) );

		// while split: both sides move x from v1; the catalog gives v2 to the first side only
		TenantPlacement x1 = store( mA1 ).findPlacement( "x" ).orElseThrow();
		assertThat( store( mA1 ).replacePlacement( 1, x1.movedTo( "s1" ) ) ).isTrue();
		assertThat( store( mB ).replacePlacement( 1, x1.withTier( TenantTier.LARGE ) ) )
				.as( "the other side's change of the same version fails cleanly" ).isFalse();
		assertThat( store( mB ).findPlacement( "x" ) ).as( "and it takes the catalog's version" ).contains( x1.movedTo( "s1" ) );
		// side B moves y, side A removes z, side B places w
		TenantPlacement y1 = store( mB ).findPlacement( "y" ).orElseThrow();
		assertThat( store( mB ).replacePlacement( 1, y1.movedTo( "s0" ) ) ).isTrue();
		assertThat( store( mA2 ).removePlacement( "z", 1 ) ).isTrue();
		assertThat( store( mB ).findPlacement( "z" ) ).as( "side B does not know yet" ).isPresent();
		TenantPlacement w = store( mB ).placeIfAbsent( TenantPlacement.of( "w", "s1", TenantTier.SMALL ) );
		assertThat( store( mA1 ).findPlacement( "y" ) ).as( "side A does not know yet" ).contains( y1 );

		assertThat( hzB.getCluster().getMembers() ).as( "still split" ).hasSize( 1 );

		// the heal: a third side-A member (a plain member: its map stores open the catalog themselves) comes up where
		// B looks; B finds the larger side A and merges into it
		member( a3, a1, a2, a3 );
		await().atMost( Duration.ofSeconds( 90 ) ).until( () -> hzB.getCluster().getMembers().size() == 4
				&& hzA1.getCluster().getMembers().size() == 4 );
		// the member that merged reloads the maps from the catalog and invalidates every router
		await().atMost( Duration.ofSeconds( 60 ) ).until( () -> store( mB ).catalogReloads() == 1 );

		Map<String, TenantPlacement> catalog = new HashMap<>();
		try ( JdbcCatalogTopologyStore c = cluster.openCatalog() ) {
			c.placements().forEach( p -> catalog.put( p.tenantId(), p ) );
		}
		assertThat( catalog ).containsOnlyKeys( "x", "y", "w" );
		assertThat( catalog.get( "x" ) ).isEqualTo( x1.movedTo( "s1" ) );
		assertThat( catalog.get( "y" ) ).isEqualTo( y1.movedTo( "s0" ) );
		assertThat( catalog.get( "w" ) ).isEqualTo( w );
		for ( EntityManagerFactory m : List.of( mA1, mA2, mB ) ) {
			await().atMost( Duration.ofSeconds( 60 ) ).untilAsserted( () -> {
				for ( String t : List.of( "x", "y", "w" ) ) {
					assertThat( store( m ).findPlacement( t ) ).as( "map: %s", t ).contains( catalog.get( t ) );
					assertThat( Shardwise.of( m ).placement( t ) ).as( "route: %s", t ).contains( catalog.get( t ) );
				}
			} );
			assertThat( store( m ).findPlacement( "z" ) ).as( "removed on side A" ).isEqualTo( Optional.empty() );
			assertThat( Shardwise.of( m ).placement( "z" ) ).isEmpty();
			assertThat( store( m ).hazelcastInstance().getMap( "shardwise.placements" ).size() ).isEqualTo( 3 );
		}
	}
}
