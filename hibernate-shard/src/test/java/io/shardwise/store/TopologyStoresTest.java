package io.shardwise.store;

import java.util.HashMap;
import java.util.Map;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.spi.TopologyStore;
import io.shardwise.spi.TopologyStoreProvider;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopologyStoresTest {

	@Test
	void aStoreHandedInIsUsedAsIs() {
		try ( InMemoryTopologyStore given = new InMemoryTopologyStore() ) {
			assertThat( TopologyStores.create( settings( ShardwiseSettings.TOPOLOGY_STORE, given ) ) ).isSameAs( given );
		}
	}

	@Test
	void aProviderHandedInCreatesTheStore() {
		InMemoryTopologyStore given = new InMemoryTopologyStore();
		TopologyStoreProvider provider = new TopologyStoreProvider() {
			@Override
			public String name() {
				return "custom";
			}

			@Override
			public TopologyStore create(Map<String, Object> settings) {
				return given;
			}
		};
		assertThat( TopologyStores.create( settings( ShardwiseSettings.TOPOLOGY_STORE, provider ) ) ).isSameAs( given );
	}

	@Test
	void theFileStoreIsTheDefaultWhenATopologyFileIsSet() {
		try ( TopologyStore store = TopologyStores.create( settings( ShardwiseSettings.TOPOLOGY_FILE, "topologies/valid.yaml" ) ) ) {
			assertThat( store ).isInstanceOf( FileTopologyStore.class );
			assertThat( store.shards() ).hasSize( 2 );
		}
	}

	@Test
	void storesAreFoundByShortNameCaseInsensitively() {
		Map<String, Object> settings = settings( ShardwiseSettings.TOPOLOGY_STORE, " FILE " );
		settings.put( ShardwiseSettings.TOPOLOGY_FILE, "topologies/valid.json" );
		try ( TopologyStore store = TopologyStores.create( settings ) ) {
			assertThat( store ).isInstanceOf( FileTopologyStore.class );
		}

		Map<String, Object> jdbc = settings( ShardwiseSettings.TOPOLOGY_STORE, "jdbc" );
		jdbc.put( ShardwiseSettings.CATALOG_URL, "jdbc:h2:mem:" + ExternalDatabases.uniqueName() + ";DB_CLOSE_DELAY=-1" );
		try ( TopologyStore store = TopologyStores.create( jdbc ) ) {
			assertThat( store ).isInstanceOf( JdbcCatalogTopologyStore.class );
			assertThat( store.shards() ).isEmpty();
		}
	}

	@Test
	void aProviderIsFoundByClassName() {
		Map<String, Object> settings = settings( ShardwiseSettings.TOPOLOGY_STORE, FileTopologyStoreProvider.class.getName() );
		settings.put( ShardwiseSettings.TOPOLOGY_FILE, "topologies/empty.yaml" );
		try ( TopologyStore store = TopologyStores.create( settings ) ) {
			assertThat( store ).isInstanceOf( FileTopologyStore.class );
		}
		assertThat( TopologyStores.availableNames() ).contains( "file", "jdbc" );
	}

	@Test
	void anUnknownNameListsTheAvailableOnes() {
		assertThatThrownBy( () -> TopologyStores.create( settings( ShardwiseSettings.TOPOLOGY_STORE, "redis" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "property 'shardwise.topology.store' must be one of " )
				.hasMessageContaining( "file" )
				.hasMessageContaining( "jdbc" )
				.hasMessageContaining( "but was 'redis'" );
		assertThatThrownBy( () -> TopologyStores.create( settings( ShardwiseSettings.TOPOLOGY_STORE, "hazelcast" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "io.shardwise:hazelcast-topology" );
		assertThatThrownBy( () -> TopologyStores.create( settings( ShardwiseSettings.TOPOLOGY_STORE, "com.example.NoSuchProvider" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "'com.example.NoSuchProvider', which is not a class on the class path" );
		assertThatThrownBy( () -> TopologyStores.create( settings( ShardwiseSettings.TOPOLOGY_STORE, String.class.getName() ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "must name a class implementing io.shardwise.spi.TopologyStoreProvider, but java.lang.String does not" );
		assertThatThrownBy( () -> TopologyStores.create( settings( ShardwiseSettings.TOPOLOGY_STORE, 42 ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "but was a java.lang.Integer" );
	}

	@Test
	void missingSettingsAreNamed() {
		assertThatThrownBy( () -> TopologyStores.create( new HashMap<>() ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "property 'shardwise.topology.store' must be set, but was missing" )
				.hasMessageContaining( "'shardwise.topology.file'" );
		assertThatThrownBy( () -> TopologyStores.create( settings( ShardwiseSettings.TOPOLOGY_STORE, "file" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "property 'shardwise.topology.file' must be set, but was missing" );
		assertThatThrownBy( () -> TopologyStores.create( settings( ShardwiseSettings.TOPOLOGY_STORE, "jdbc" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "property 'shardwise.catalog.url' must be set, but was missing" );
	}

	@Test
	void theProvidersAreRegisteredAsServices() {
		assertThat( TopologyStores.provider( "file" ) ).isInstanceOf( FileTopologyStoreProvider.class );
		assertThat( TopologyStores.provider( "jdbc" ) ).isInstanceOf( JdbcCatalogTopologyStoreProvider.class );
	}

	private static Map<String, Object> settings(String key, Object value) {
		Map<String, Object> settings = new HashMap<>();
		settings.put( key, value );
		return settings;
	}
}
