package io.shardwise.hazelcast.internal;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Properties;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.XmlClientConfigBuilder;
import com.hazelcast.client.config.YamlClientConfigBuilder;
import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.config.YamlConfigBuilder;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.TopologyException;
import io.shardwise.internal.Checks;

/**
 * Builds the Hazelcast side of the store: the member or client configuration (from the application's file or from
 * the settings), the configuration of the two topology maps, and the instance.
 */
public final class HazelcastSetup {
	/** Member property that sends near-cache invalidations one by one instead of in batches of up to 10 s. */
	public static final String INVALIDATION_BATCHING = "hazelcast.map.invalidation.batch.enabled";

	private HazelcastSetup() {
	}

	// ---- configurations ----

	/** The member configuration: the application's file, or one built from the settings (TCP-IP join, no multicast). */
	public static Config memberConfig(HazelcastSettings s) {
		Config config;
		if ( s.configFile() != null ) {
			config = loadMemberConfig( s.configFile() );
		}
		else {
			config = new Config();
			config.setClusterName( s.clusterName() );
			NetworkConfig network = config.getNetworkConfig();
			network.setPort( s.port() ).setPortCount( s.portCount() ).setPortAutoIncrement( s.portCount() > 1 );
			if ( s.networkInterface() != null ) {
				network.getInterfaces().setEnabled( true ).addInterface( s.networkInterface() );
			}
			JoinConfig join = network.getJoin();
			join.getMulticastConfig().setEnabled( false );
			join.getAutoDetectionConfig().setEnabled( false );
			join.getTcpIpConfig().setEnabled( true ).setMembers( s.members() );
		}
		if ( config.getProperty( INVALIDATION_BATCHING ) == null && System.getProperty( INVALIDATION_BATCHING ) == null ) {
			config.setProperty( INVALIDATION_BATCHING, "false" );
		}
		useSlf4j( config.getProperties() );
		return config;
	}

	/**
	 * Hazelcast logs through java.util.logging unless told otherwise; an application on SLF4J (as Shardwise is) wants
	 * Hazelcast's lines there too, so a member or client the store configures logs through SLF4J unless the
	 * application chose a logging type itself.
	 */
	private static void useSlf4j(java.util.Properties properties) {
		if ( properties.getProperty( LOGGING_TYPE ) == null && System.getProperty( LOGGING_TYPE ) == null ) {
			properties.setProperty( LOGGING_TYPE, "slf4j" );
		}
	}

	private static final String LOGGING_TYPE = "hazelcast.logging.type";

	/** The client configuration: the application's file, or one built from the settings. */
	public static ClientConfig clientConfig(HazelcastSettings s) {
		ClientConfig config;
		if ( s.configFile() != null ) {
			config = loadClientConfig( s.configFile() );
		}
		else {
			config = new ClientConfig();
			config.setClusterName( s.clusterName() );
			config.getNetworkConfig().setAddresses( new java.util.ArrayList<>( s.members() ) );
		}
		if ( config.getConnectionStrategyConfig().getConnectionRetryConfig().getClusterConnectTimeoutMillis() < 0 ) {
			config.getConnectionStrategyConfig().getConnectionRetryConfig()
					.setClusterConnectTimeoutMillis( s.timeout().toMillis() );
		}
		if ( s.configFile() == null ) {
			config.getConnectionStrategyConfig().getConnectionRetryConfig()
					.setClusterConnectTimeoutMillis( s.timeout().toMillis() );
		}
		useSlf4j( config.getProperties() );
		for ( String map : java.util.List.of( s.placementsMap(), s.shardsMap() ) ) {
			if ( s.nearCache() && !config.getNearCacheConfigMap().containsKey( map ) ) {
				config.addNearCacheConfig( nearCache( map ) );
			}
		}
		return config;
	}

	/**
	 * The configuration of a topology map: synchronous backups, write-through map store and eager loader over the
	 * catalog, the higher-version merge policy, and a near cache (OBJECT format, invalidated on change).
	 */
	public static MapConfig mapConfig(String name, Class<? extends CatalogMapStore<?>> store, int backupCount,
			boolean nearCache, Properties catalogProperties) {
		MapConfig map = new MapConfig( name );
		map.setBackupCount( backupCount );
		map.setAsyncBackupCount( 0 );
		map.setReadBackupData( false );
		map.setInMemoryFormat( InMemoryFormat.BINARY );
		MapStoreConfig mapStore = new MapStoreConfig()
				.setEnabled( true )
				.setClassName( store.getName() )
				.setWriteDelaySeconds( 0 )
				.setInitialLoadMode( MapStoreConfig.InitialLoadMode.EAGER )
				.setProperties( catalogProperties );
		map.setMapStoreConfig( mapStore );
		map.setMergePolicyConfig( new MergePolicyConfig( HigherVersionMergePolicy.class.getName(),
				MergePolicyConfig.DEFAULT_BATCH_SIZE ) );
		if ( nearCache ) {
			map.setNearCacheConfig( nearCache( name ) );
		}
		return map;
	}

	static NearCacheConfig nearCache(String name) {
		return new NearCacheConfig( name )
				.setInMemoryFormat( InMemoryFormat.OBJECT )
				.setInvalidateOnChange( true )
				.setCacheLocalEntries( false )
				.setEvictionConfig( new EvictionConfig()
						.setEvictionPolicy( EvictionPolicy.NONE )
						.setMaxSizePolicy( MaxSizePolicy.ENTRY_COUNT )
						.setSize( Integer.MAX_VALUE ) );
	}

	// ---- instances ----

	public static HazelcastInstance startMember(Config config, HazelcastSettings s) {
		try {
			return Hazelcast.newHazelcastInstance( config );
		}
		catch (RuntimeException e) {
			throw new TopologyException( "could not start the embedded Hazelcast member of cluster '"
					+ config.getClusterName() + "' (" + describeNetwork( config, s ) + "): " + e.getMessage()
					+ ". Check " + ( s.configFile() != null ? ShardwiseSettings.HAZELCAST_CONFIG + " (" + s.configFile() + ")"
					: ShardwiseSettings.HAZELCAST_PORT + " and " + ShardwiseSettings.HAZELCAST_INTERFACE ), e );
		}
	}

	public static HazelcastInstance startClient(ClientConfig config, HazelcastSettings s) {
		try {
			return HazelcastClient.newHazelcastClient( config );
		}
		catch (RuntimeException e) {
			long timeout = config.getConnectionStrategyConfig().getConnectionRetryConfig().getClusterConnectTimeoutMillis();
			throw new TopologyException( "could not connect to the Hazelcast cluster '" + config.getClusterName() + "' at "
					+ config.getNetworkConfig().getAddresses() + " within " + timeout + " ms: " + e.getMessage()
					+ ". Start the cluster's members, or check " + ShardwiseSettings.HAZELCAST_MEMBERS + " and "
					+ ShardwiseSettings.HAZELCAST_CLUSTER_NAME + ( s.configFile() != null ? " in " + s.configFile() : "" )
					+ " (a client waits " + ShardwiseSettings.HAZELCAST_TIMEOUT + " for the cluster)", e );
		}
	}

	private static String describeNetwork(Config config, HazelcastSettings s) {
		NetworkConfig n = config.getNetworkConfig();
		return "port " + n.getPort() + ( n.isPortAutoIncrement() ? "-" + ( n.getPort() + n.getPortCount() - 1 ) : "" )
				+ ", members " + n.getJoin().getTcpIpConfig().getMembers();
	}

	// ---- configuration files ----

	private static Config loadMemberConfig(String location) {
		try ( InputStream in = open( location ) ) {
			return isXml( location ) ? new XmlConfigBuilder( in ).build() : new YamlConfigBuilder( in ).build();
		}
		catch (IOException | RuntimeException e) {
			throw invalidFile( location, "member", e );
		}
	}

	private static ClientConfig loadClientConfig(String location) {
		try ( InputStream in = open( location ) ) {
			return isXml( location ) ? new XmlClientConfigBuilder( in ).build() : new YamlClientConfigBuilder( in ).build();
		}
		catch (IOException | RuntimeException e) {
			throw invalidFile( location, "client", e );
		}
	}

	private static ShardwiseConfigurationException invalidFile(String location, String kind, Exception e) {
		if ( e instanceof ShardwiseConfigurationException sce ) {
			return sce;
		}
		return new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HAZELCAST_CONFIG + "' must name a valid "
				+ "Hazelcast " + kind + " configuration (.yaml, .yml or .xml), but " + Checks.quote( location ) + " is not: "
				+ e.getMessage() + ". Fix the file, or remove the property to configure Hazelcast with "
				+ ShardwiseSettings.HAZELCAST_CLUSTER_NAME + ", " + ShardwiseSettings.HAZELCAST_MEMBERS + " and "
				+ ShardwiseSettings.HAZELCAST_PORT, e );
	}

	private static boolean isXml(String location) {
		String lower = location.toLowerCase( Locale.ROOT );
		if ( lower.endsWith( ".xml" ) ) {
			return true;
		}
		if ( lower.endsWith( ".yaml" ) || lower.endsWith( ".yml" ) ) {
			return false;
		}
		throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HAZELCAST_CONFIG + "' must name a "
				+ ".yaml, .yml or .xml file, but was " + Checks.quote( location ) );
	}

	private static InputStream open(String location) throws IOException {
		String path = location.startsWith( "classpath:" ) ? location.substring( "classpath:".length() ) : location;
		String resource = path.startsWith( "/" ) ? path.substring( 1 ) : path;
		ClassLoader loader = Thread.currentThread().getContextClassLoader();
		InputStream in = loader == null ? null : loader.getResourceAsStream( resource );
		if ( in == null ) {
			in = HazelcastSetup.class.getClassLoader().getResourceAsStream( resource );
		}
		if ( in != null ) {
			return in;
		}
		File file = new File( path );
		if ( !location.startsWith( "classpath:" ) && file.isFile() ) {
			return new FileInputStream( file );
		}
		throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HAZELCAST_CONFIG + "' must name a "
				+ "Hazelcast configuration file on the class path or the file system, but " + Checks.quote( location )
				+ " was found on neither (working directory: " + new File( "" ).getAbsolutePath() + ")" );
	}
}
