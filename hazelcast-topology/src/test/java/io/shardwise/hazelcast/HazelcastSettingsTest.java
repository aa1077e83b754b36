package io.shardwise.hazelcast;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.hazelcast.internal.HazelcastSettings;
import io.shardwise.hazelcast.internal.HazelcastSetup;
import io.shardwise.hazelcast.internal.HigherVersionMergePolicy;
import io.shardwise.hazelcast.internal.PlacementMapStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code shardwise.hazelcast.*} settings and the configuration built from them. */
class HazelcastSettingsTest {

	@Test
	void defaults() {
		HazelcastSettings s = HazelcastSettings.from( Map.of() );
		assertThat( s.client() ).isFalse();
		assertThat( s.clusterName() ).isEqualTo( "shardwise" );
		assertThat( s.members() ).isEmpty();
		assertThat( s.port() ).isEqualTo( 5701 );
		assertThat( s.portCount() ).isEqualTo( 100 );
		assertThat( s.backupCount() ).isEqualTo( 1 );
		assertThat( s.nearCache() ).isTrue();
		assertThat( s.timeout() ).isEqualTo( Duration.ofSeconds( 30 ) );
		assertThat( s.placementsMap() ).isEqualTo( "shardwise.placements" );
		assertThat( HazelcastSettings.from( Map.of( ShardwiseSettings.HAZELCAST_MODE, "client" ) ).members() )
				.containsExactly( "127.0.0.1:5701" );
	}

	@Test
	void aMemberConfigurationJoinsByTcpIpOnlyWithPortRangesExpanded() {
		HazelcastSettings s = HazelcastSettings.from( Map.of( ShardwiseSettings.HAZELCAST_CLUSTER_NAME, "orders",
				ShardwiseSettings.HAZELCAST_MEMBERS, "10.0.0.1, 10.0.0.2:5801-5803",
				ShardwiseSettings.HAZELCAST_PORT, "5801-5803", ShardwiseSettings.HAZELCAST_INTERFACE, "10.0.0.*" ) );
		assertThat( s.members() ).containsExactly( "10.0.0.1", "10.0.0.2:5801", "10.0.0.2:5802", "10.0.0.2:5803" );
		Config config = HazelcastSetup.memberConfig( s );
		assertThat( config.getClusterName() ).isEqualTo( "orders" );
		assertThat( config.getNetworkConfig().getPort() ).isEqualTo( 5801 );
		assertThat( config.getNetworkConfig().getPortCount() ).isEqualTo( 3 );
		assertThat( config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled() ).isFalse();
		assertThat( config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers() ).hasSize( 4 );
		assertThat( config.getNetworkConfig().getInterfaces().getInterfaces() ).containsExactly( "10.0.0.*" );
		assertThat( config.getProperty( HazelcastSetup.INVALIDATION_BATCHING ) ).isEqualTo( "false" );
	}

	@Test
	void theMapsAreWriteThroughEagerlyLoadedBackedUpAndMergedByVersion() {
		MapConfig map = HazelcastSetup.mapConfig( "x.placements", PlacementMapStore.class, 2, true, new Properties() );
		assertThat( map.getBackupCount() ).isEqualTo( 2 );
		assertThat( map.getMapStoreConfig().getWriteDelaySeconds() ).isZero();
		assertThat( map.getMapStoreConfig().getInitialLoadMode() ).isEqualTo( MapStoreConfig.InitialLoadMode.EAGER );
		assertThat( map.getMapStoreConfig().getClassName() ).isEqualTo( PlacementMapStore.class.getName() );
		assertThat( map.getMergePolicyConfig().getPolicy() ).isEqualTo( HigherVersionMergePolicy.class.getName() );
		assertThat( map.getNearCacheConfig().isInvalidateOnChange() ).isTrue();
		assertThat( HazelcastSetup.mapConfig( "x.placements", PlacementMapStore.class, 1, false, new Properties() )
				.getNearCacheConfig() ).isNull();
	}

	@Test
	void badValuesAreNamed() {
		assertThatThrownBy( () -> HazelcastSettings.from( Map.of( ShardwiseSettings.HAZELCAST_MEMBERS, "a:5802-5801" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "must have ascending port ranges of at most 1000 ports below 65536, but has 'a:5802-5801'" );
		assertThatThrownBy( () -> HazelcastSettings.from( Map.of( ShardwiseSettings.HAZELCAST_MEMBERS, "a b" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class ).hasMessageContaining( "but has the entry 'a b'" );
		assertThatThrownBy( () -> HazelcastSettings.from( Map.of( ShardwiseSettings.HAZELCAST_CLUSTER_NAME, "1st" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class ).hasMessageContaining( "but was '1st' (default: shardwise)" );
		assertThatThrownBy( () -> HazelcastSettings.from( Map.of( ShardwiseSettings.HAZELCAST_NEAR_CACHE, "sometimes" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class ).hasMessageContaining( "must be true or false" );
		assertThatThrownBy( () -> HazelcastSettings.from( Map.of( ShardwiseSettings.HAZELCAST_TIMEOUT, "0s" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class ).hasMessageContaining( "must be a positive duration" );
	}
}
