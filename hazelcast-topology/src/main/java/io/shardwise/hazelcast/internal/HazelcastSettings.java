package io.shardwise.hazelcast.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.hazelcast.core.HazelcastInstance;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.internal.Checks;
import io.shardwise.internal.Settings;

/**
 * The {@code shardwise.hazelcast.*} settings of one persistence unit, read and validated once.
 *
 * @param instance a handed-in instance, or null
 * @param configFile the application's Hazelcast configuration file, or null
 * @param client whether to connect as a client rather than start an embedded member
 * @param clusterName the cluster name (ignored with a configuration file or an instance)
 * @param members the TCP-IP member list / client addresses
 * @param port first member port
 * @param portCount number of ports the member may try from {@code port}
 * @param networkInterface interface to bind, or null
 * @param namePrefix prefix of the names of the maps, executor and topic
 * @param backupCount synchronous backups (at least 1)
 * @param nearCache whether members and clients keep a near cache of the topology maps
 * @param timeout client connect timeout and invalidation acknowledgement timeout
 */
public record HazelcastSettings(
		HazelcastInstance instance,
		String configFile,
		boolean client,
		String clusterName,
		List<String> members,
		int port,
		int portCount,
		String networkInterface,
		String namePrefix,
		int backupCount,
		boolean nearCache,
		Duration timeout) {

	public static final String DEFAULT_CLUSTER_NAME = "shardwise";
	public static final String DEFAULT_NAME_PREFIX = "shardwise";
	public static final int DEFAULT_PORT = 5701;
	public static final int DEFAULT_PORT_COUNT = 100;
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds( 30 );

	private static final Pattern NAME = Pattern.compile( "[A-Za-z][A-Za-z0-9_.-]{0,63}" );
	private static final Pattern PORT = Pattern.compile( "(\\d{1,5})(?:\\s*-\\s*(\\d{1,5}))?" );
	private static final Pattern PORT_RANGE = Pattern.compile( "(.+):(\\d{1,5})-(\\d{1,5})" );
	private static final Pattern MEMBER = Pattern.compile( "[A-Za-z0-9_.\\[\\]:*-]+" );

	public static HazelcastSettings from(Map<String, ?> values) {
		Settings s = new Settings( values );
		Object instanceValue = s.object( ShardwiseSettings.HAZELCAST_INSTANCE );
		HazelcastInstance instance = null;
		if ( instanceValue instanceof HazelcastInstance hz ) {
			instance = hz;
		}
		else if ( instanceValue != null && !( instanceValue instanceof String str && str.isBlank() ) ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HAZELCAST_INSTANCE + "' must be a "
					+ "com.hazelcast.core.HazelcastInstance handed in by code, but was a " + instanceValue.getClass().getName()
					+ ": hand in the instance in the properties map of createEntityManagerFactory, or remove the property" );
		}
		String mode = s.string( ShardwiseSettings.HAZELCAST_MODE, "member" ).toLowerCase( Locale.ROOT );
		if ( !mode.equals( "member" ) && !mode.equals( "client" ) ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HAZELCAST_MODE + "' must be member or "
					+ "client, but was " + Checks.quote( s.object( ShardwiseSettings.HAZELCAST_MODE ) ) + " (default: member)" );
		}
		boolean client = mode.equals( "client" );
		String clusterName = s.string( ShardwiseSettings.HAZELCAST_CLUSTER_NAME, DEFAULT_CLUSTER_NAME );
		if ( !NAME.matcher( clusterName ).matches() ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HAZELCAST_CLUSTER_NAME + "' must be a "
					+ "letter followed by up to 63 letters, digits, '.', '_' or '-', but was " + Checks.quote( clusterName )
					+ " (default: " + DEFAULT_CLUSTER_NAME + ")" );
		}
		String prefix = s.string( ShardwiseSettings.HAZELCAST_NAME_PREFIX, DEFAULT_NAME_PREFIX );
		if ( !NAME.matcher( prefix ).matches() ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HAZELCAST_NAME_PREFIX + "' must be a "
					+ "letter followed by up to 63 letters, digits, '.', '_' or '-', but was " + Checks.quote( prefix )
					+ " (default: " + DEFAULT_NAME_PREFIX + ")" );
		}
		List<String> members = new ArrayList<>();
		String memberList = s.string( ShardwiseSettings.HAZELCAST_MEMBERS, client ? "127.0.0.1:" + DEFAULT_PORT : "" );
		for ( String part : memberList.split( "," ) ) {
			String member = part.trim();
			if ( member.isEmpty() ) {
				continue;
			}
			if ( !MEMBER.matcher( member ).matches() ) {
				throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HAZELCAST_MEMBERS + "' must be a "
						+ "comma-separated list of host, host:port or host:port-port entries, but has the entry "
						+ Checks.quote( member ) + " (in " + Checks.quote( memberList ) + ")" );
			}
			var range = PORT_RANGE.matcher( member );
			if ( range.matches() ) {
				// Hazelcast takes one port per entry: expand host:first-last
				int first = Integer.parseInt( range.group( 2 ) );
				int lastPort = Integer.parseInt( range.group( 3 ) );
				if ( lastPort < first || lastPort > 65535 || lastPort - first >= 1000 ) {
					throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HAZELCAST_MEMBERS + "' must "
							+ "have ascending port ranges of at most 1000 ports below 65536, but has " + Checks.quote( member ) );
				}
				for ( int p = first; p <= lastPort; p++ ) {
					members.add( range.group( 1 ) + ":" + p );
				}
			}
			else {
				members.add( member );
			}
		}
		String portValue = s.string( ShardwiseSettings.HAZELCAST_PORT, DEFAULT_PORT + "-" + ( DEFAULT_PORT + DEFAULT_PORT_COUNT - 1 ) );
		var m = PORT.matcher( portValue );
		int port;
		int last;
		if ( !m.matches() || ( port = Integer.parseInt( m.group( 1 ) ) ) < 1 || port > 65535
				|| ( last = m.group( 2 ) == null ? port : Integer.parseInt( m.group( 2 ) ) ) < port || last > 65535 ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HAZELCAST_PORT + "' must be a port "
					+ "(1-65535) such as 5701 or an ascending range such as 5701-5710, but was " + Checks.quote( portValue )
					+ " (default: " + DEFAULT_PORT + "-" + ( DEFAULT_PORT + DEFAULT_PORT_COUNT - 1 ) + ")" );
		}
		int backups = s.integer( ShardwiseSettings.HAZELCAST_BACKUP_COUNT, 1, 1 );
		if ( backups > 6 ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HAZELCAST_BACKUP_COUNT + "' must be "
					+ "between 1 and 6 (Hazelcast's limit), but was " + backups + " (default: 1)" );
		}
		Duration timeout = s.duration( ShardwiseSettings.HAZELCAST_TIMEOUT, DEFAULT_TIMEOUT );
		if ( timeout.isNegative() || timeout.isZero() ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HAZELCAST_TIMEOUT + "' must be a "
					+ "positive duration, but was " + timeout + " (default: 30s)" );
		}
		return new HazelcastSettings( instance, s.string( ShardwiseSettings.HAZELCAST_CONFIG, null ), client, clusterName,
				List.copyOf( members ), port, last - port + 1, s.string( ShardwiseSettings.HAZELCAST_INTERFACE, null ), prefix,
				backups, s.bool( ShardwiseSettings.HAZELCAST_NEAR_CACHE, true ), timeout );
	}

	public String placementsMap() {
		return namePrefix + ".placements";
	}

	public String shardsMap() {
		return namePrefix + ".shards";
	}

	public String invalidationExecutor() {
		return namePrefix + ".invalidations";
	}

	public String invalidationTopic() {
		return namePrefix + ".invalidations";
	}
}
