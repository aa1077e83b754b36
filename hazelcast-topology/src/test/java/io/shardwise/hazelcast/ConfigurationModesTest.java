package io.shardwise.hazelcast;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import io.shardwise.Shardwise;
import io.shardwise.ShardwiseSettings;
import io.shardwise.TopologyException;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.RequiresDatabase;
import io.shardwise.spi.TopologyChange;
import io.shardwise.store.TopologyStores;
import io.shardwise.topology.TenantPlacement;

import static io.shardwise.hazelcast.HazelcastCluster.PROPAGATION;
import static io.shardwise.hazelcast.HazelcastCluster.awaitRoute;
import static io.shardwise.hazelcast.HazelcastCluster.store;
import static io.shardwise.hazelcast.HazelcastCluster.writeNote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The ways to get Hazelcast (the application's own file, a handed-in member, client mode) and the catalog's outages:
 * an unreachable cluster fails start-up; a catalog outage after start keeps routing from the caches and makes
 * changes fail cleanly.
 */
@RequiresDatabase(DatabaseKind.POSTGRESQL)
class ConfigurationModesTest {
	private HazelcastCluster cluster;
	private HazelcastInstance plainMember;

	@AfterEach
	void stop() {
		try {
			if ( cluster != null ) {
				cluster.members.forEach( jakarta.persistence.EntityManagerFactory::close );
				cluster.members.clear();
			}
			if ( plainMember != null ) {
				plainMember.shutdown();
			}
		}
		finally {
			if ( cluster != null ) {
				cluster.close();
			}
		}
	}

	private Config plainMemberConfig() {
		Config config = new Config();
		config.setClusterName( cluster.clusterName );
		config.getNetworkConfig().setPort( cluster.basePort ).setPortAutoIncrement( false );
		config.getNetworkConfig().getInterfaces().setEnabled( true ).addInterface( "127.0.0.1" );
		config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled( false );
		config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled( true ).addMember( "127.0.0.1:" + cluster.basePort );
		return config;
	}

	@Test
	void aMemberBuiltFromTheApplicationsOwnYamlFileRoutesByTheCatalog() throws Exception {
		cluster = new HazelcastCluster( 2, 1 );
		cluster.seed( List.of( "a", "b", "c" ) );
		System.setProperty( "shardwise.test.cluster", cluster.clusterName );
		System.setProperty( "shardwise.test.port", String.valueOf( cluster.basePort ) );
		try {
			EntityManagerFactory m = cluster.startMember( Map.of( ShardwiseSettings.HAZELCAST_CONFIG, "hazelcast-test.yaml" ) );
			HazelcastInstance hz = store( m ).hazelcastInstance();
			assertThat( hz.getConfig().getClusterName() ).isEqualTo( cluster.clusterName );
			assertThat( hz.getCluster().getLocalMember().getAddress().getPort() ).isEqualTo( cluster.basePort );
			assertThat( hz.getConfig().getProperty( "hazelcast.map.invalidation.batch.enabled" ) ).isEqualTo( "false" );
			writeNote( m, "b", "from the yaml member" );
			assertThat( cluster.rows( 1, "b" ) ).isEqualTo( 1 );
		}
		finally {
			System.clearProperty( "shardwise.test.cluster" );
			System.clearProperty( "shardwise.test.port" );
		}
	}

	@Test
	void aHandedInMemberIsUsedAndStaysTheCallers() throws Exception {
		cluster = new HazelcastCluster( 2, 1 );
		cluster.seed( List.of( "a", "b" ) );
		plainMember = Hazelcast.newHazelcastInstance( plainMemberConfig() );
		EntityManagerFactory m = cluster.startMember( Map.of( ShardwiseSettings.HAZELCAST_INSTANCE, plainMember ) );
		assertThat( store( m ).hazelcastInstance() ).isSameAs( plainMember );
		writeNote( m, "a", "through the handed-in member" );
		assertThat( cluster.rows( 0, "a" ) ).isEqualTo( 1 );
		cluster.closeMember( m );
		assertThat( plainMember.getLifecycleService().isRunning() ).as( "the caller's instance keeps running" ).isTrue();
		assertThat( plainMember.getMap( "shardwise.placements" ).size() ).isEqualTo( 2 );
	}

	@Test
	void aClientStoreChangesAndHearsTheTopologyOfAClusterWhoseMembersHaveNoStore() throws Exception {
		cluster = new HazelcastCluster( 2, 1 );
		cluster.seed( List.of( "a", "b" ) );
		// a plain member: it opens the catalog from the map store properties the client configures
		plainMember = Hazelcast.newHazelcastInstance( plainMemberConfig() );
		EntityManagerFactory client = cluster.startMember( Map.of( ShardwiseSettings.HAZELCAST_MODE, "client",
				ShardwiseSettings.HAZELCAST_MEMBERS, "127.0.0.1:" + cluster.basePort ) );
		HazelcastTopologyStore store = store( client );
		assertThat( store.hazelcastInstance().getLocalEndpoint() ).isNotInstanceOf( com.hazelcast.cluster.Member.class );
		writeNote( client, "a", "through a client" );
		assertThat( cluster.rows( 0, "a" ) ).isEqualTo( 1 );

		// a change through the client reaches the catalog; one made on the cluster reaches the client's routing
		TenantPlacement a1 = store.findPlacement( "a" ).orElseThrow();
		assertThat( store.replacePlacement( 1, a1.movedTo( "s1" ) ) ).isTrue();
		try ( var catalog = cluster.openCatalog() ) {
			assertThat( catalog.findPlacement( "a" ) ).contains( a1.movedTo( "s1" ) );
		}
		TenantPlacement b1 = store.findPlacement( "b" ).orElseThrow();
		Shardwise.of( client ).placement( "b" );
		plainMember.<String, io.shardwise.hazelcast.internal.Versioned>getMap( "shardwise.placements" ).executeOnKey( "b",
				new io.shardwise.hazelcast.internal.CasProcessor( "shardwise.placements", 1,
						io.shardwise.hazelcast.internal.Records.record( b1.movedTo( "s0" ) ) ) );
		awaitRoute( client, b1.movedTo( "s0" ) );

		// the invalidation broadcast reaches a client through the topic
		java.util.List<TopologyChange> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
		store.subscribe( heard::add );
		assertThat( store.invalidateEverywhere( "rebalance 7" ) ).as( "members that acknowledged" ).isEqualTo( 1 );
		await().atMost( PROPAGATION ).until( () -> heard.contains( new TopologyChange.Invalidated( "rebalance 7" ) ) );
	}

	@Test
	void anUnreachableClusterFailsStartUpOfAClientNamingTheAddressAndTheWait() {
		cluster = new HazelcastCluster( 0, 1 );
		Map<String, Object> settings = cluster.storeSettings();
		settings.put( ShardwiseSettings.HAZELCAST_MODE, "client" );
		settings.put( ShardwiseSettings.HAZELCAST_MEMBERS, "127.0.0.1:" + cluster.basePort );
		settings.put( ShardwiseSettings.HAZELCAST_TIMEOUT, "2s" );
		assertThatThrownBy( () -> TopologyStores.create( settings ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "could not connect to the Hazelcast cluster '" + cluster.clusterName + "' at [127.0.0.1:"
						+ cluster.basePort + "] within 2000 ms" )
				.hasMessageContaining( "Start the cluster's members, or check shardwise.hazelcast.members" );
	}

	@Test
	void aCatalogOutageAfterStartKeepsRoutingFromTheCachesAndMakesChangesFailCleanly() throws Exception {
		cluster = new HazelcastCluster( 2, 10 );
		List<String> tenants = List.of( "t0", "t1", "t2", "t3" );
		cluster.seed( tenants );
		EntityManagerFactory m1 = cluster.startMember();
		EntityManagerFactory m2 = cluster.startMember();
		String url = cluster.catalogDb.handle().url();

		try ( Connection c = cluster.catalogDb.handle().open(); Statement st = c.createStatement() ) {
			st.execute( "alter table shardwise_tenant rename to shardwise_tenant_away" );
		}
		// routing goes on: every tenant from the route caches or the maps, none from the catalog
		for ( int i = 0; i < tenants.size(); i++ ) {
			writeNote( i % 2 == 0 ? m1 : m2, tenants.get( i ), "during the outage" );
			assertThat( cluster.rows( i % 2, tenants.get( i ) ) ).isEqualTo( 1 );
		}
		TenantPlacement t1 = store( m1 ).findPlacement( "t1" ).orElseThrow();
		assertThatThrownBy( () -> store( m2 ).replacePlacement( 1, t1.movedTo( "s0" ) ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "could not replace version 1 of the placement of tenant 't1' (to shard 's0')" )
				.hasMessageContaining( "in the topology catalog " + url )
				.hasMessageContaining( "The change was not applied" );
		for ( EntityManagerFactory m : List.of( m1, m2 ) ) {
			assertThat( store( m ).findPlacement( "t1" ) ).as( "the maps keep the old version" ).contains( t1 );
			assertThat( Shardwise.of( m ).placement( "t1" ) ).contains( t1 );
		}

		try ( Connection c = cluster.catalogDb.handle().open(); Statement st = c.createStatement() ) {
			st.execute( "alter table shardwise_tenant_away rename to shardwise_tenant" );
		}
		assertThat( store( m2 ).replacePlacement( 1, t1.movedTo( "s0" ) ) ).as( "the same change once the catalog is back" ).isTrue();
		awaitRoute( m1, t1.movedTo( "s0" ) );
	}
}
