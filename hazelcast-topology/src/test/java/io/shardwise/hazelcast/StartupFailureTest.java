package io.shardwise.hazelcast;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.TopologyException;
import io.shardwise.spi.TopologyStore;
import io.shardwise.store.TopologyStores;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start-up fails with a message naming the value and the fix: bad settings, malformed files, a catalog that is down. */
class StartupFailureTest {

	private static Map<String, Object> settings() {
		Map<String, Object> s = new HashMap<>();
		s.put( ShardwiseSettings.TOPOLOGY_STORE, "hazelcast" );
		s.put( ShardwiseSettings.CATALOG_URL, "jdbc:postgresql://127.0.0.1:" + HazelcastCluster.freePortRange( 1 ) + "/catalog" );
		s.put( ShardwiseSettings.CATALOG_USER, "postgres" );
		return s;
	}

	@Test
	void theProviderIsFoundByItsShortName() {
		assertThat( TopologyStores.provider( "hazelcast" ) ).isInstanceOf( HazelcastTopologyStoreProvider.class );
	}

	@Test
	void aCatalogThatIsDownFailsStartUpNamingIt() {
		Map<String, Object> s = settings();
		assertThatThrownBy( () -> TopologyStores.create( s ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "the hazelcast topology store cannot start without its catalog" )
				.hasMessageContaining( s.get( ShardwiseSettings.CATALOG_URL ).toString() )
				.hasMessageContaining( "Check shardwise.catalog.url" );
	}

	@Test
	void aMalformedYamlFileFailsStartUpNamingTheFile() {
		Map<String, Object> s = settings();
		s.put( ShardwiseSettings.HAZELCAST_CONFIG, "hazelcast-malformed.yaml" );
		assertThatThrownBy( () -> TopologyStores.create( s ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "property 'shardwise.hazelcast.config' must name a valid Hazelcast member configuration" )
				.hasMessageContaining( "'hazelcast-malformed.yaml' is not" );
	}

	@Test
	void anXmlFileWithAnUnknownElementFailsStartUpNamingTheFileAndTheElement() {
		Map<String, Object> s = settings();
		s.put( ShardwiseSettings.HAZELCAST_CONFIG, "classpath:hazelcast-unknown-element.xml" );
		assertThatThrownBy( () -> TopologyStores.create( s ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "'classpath:hazelcast-unknown-element.xml' is not" )
				.hasMessageContaining( "netwrk" );
	}

	@Test
	void aMissingFileFailsStartUpSayingWhereItWasLookedFor() {
		Map<String, Object> s = settings();
		s.put( ShardwiseSettings.HAZELCAST_CONFIG, "no-such-hazelcast.yaml" );
		assertThatThrownBy( () -> TopologyStores.create( s ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "'no-such-hazelcast.yaml' was found on neither" );
	}

	@Test
	void badSettingsNameTheValueAndWhatIsExpected() {
		Map<String, Object> mode = settings();
		mode.put( ShardwiseSettings.HAZELCAST_MODE, "lite" );
		assertThatThrownBy( () -> TopologyStores.create( mode ) ).isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessage( "property 'shardwise.hazelcast.mode' must be member or client, but was 'lite' (default: member)" );

		Map<String, Object> port = settings();
		port.put( ShardwiseSettings.HAZELCAST_PORT, "5710-5701" );
		assertThatThrownBy( () -> TopologyStores.create( port ) ).isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "property 'shardwise.hazelcast.port' must be a port (1-65535) such as 5701 or an "
						+ "ascending range such as 5701-5710, but was '5710-5701'" );

		Map<String, Object> backups = settings();
		backups.put( ShardwiseSettings.HAZELCAST_BACKUP_COUNT, "0" );
		assertThatThrownBy( () -> TopologyStores.create( backups ) ).isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "property 'shardwise.hazelcast.backup-count' must be at least 1, but was 0" );

		Map<String, Object> instance = settings();
		instance.put( ShardwiseSettings.HAZELCAST_INSTANCE, new Object() );
		assertThatThrownBy( () -> TopologyStores.create( instance ) ).isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "must be a com.hazelcast.core.HazelcastInstance handed in by code, but was a java.lang.Object" );
	}

	@Test
	void theCatalogUrlIsRequired() {
		Map<String, Object> s = settings();
		s.remove( ShardwiseSettings.CATALOG_URL );
		assertThatThrownBy( () -> {
			try ( TopologyStore store = TopologyStores.create( s ) ) {
				assertThat( store ).isNull();
			}
		} ).isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "property 'shardwise.catalog.url' must be set, but was missing: the hazelcast topology store" );
	}
}
