package io.shardwise.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.internal.Checks;
import io.shardwise.internal.Settings;
import io.shardwise.spi.TopologyStore;
import io.shardwise.spi.TopologyStoreProvider;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the {@link TopologyStore} that persistence-unit settings ask for:
 * <ol>
 * <li>a {@link TopologyStore} instance handed in by code under {@link ShardwiseSettings#TOPOLOGY_STORE} is used as
 * is (and stays owned by the caller), a {@link TopologyStoreProvider} instance is asked to create the store;</li>
 * <li>else {@link ShardwiseSettings#TOPOLOGY_STORE} names a provider by its short name ({@code file}, {@code jdbc},
 * {@code hazelcast}, ... found with {@link ServiceLoader}) or by the class name of a {@link TopologyStoreProvider}
 * with a public no-argument constructor;</li>
 * <li>when it is not set, {@code file} is used if {@link ShardwiseSettings#TOPOLOGY_FILE} is set.</li>
 * </ol>
 */
public final class TopologyStores {
	private static final Logger LOG = LoggerFactory.getLogger( TopologyStores.class );

	private TopologyStores() {
	}

	/**
	 * Creates (or returns the handed-in) topology store.
	 *
	 * @throws ShardwiseConfigurationException if no store is configured, the name is unknown (the message lists the
	 * available names), or the chosen provider finds a setting missing or invalid
	 */
	public static TopologyStore create(Map<String, Object> settings) {
		Checks.notNull( settings, "settings" );
		Object value = settings.get( ShardwiseSettings.TOPOLOGY_STORE );
		if ( value instanceof TopologyStore store ) {
			return store;
		}
		if ( value instanceof TopologyStoreProvider provider ) {
			return provider.create( settings );
		}
		if ( value != null && !( value instanceof CharSequence ) ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.TOPOLOGY_STORE + "' must be a store "
					+ "name, the class name of a TopologyStoreProvider, or a TopologyStore or TopologyStoreProvider instance, "
					+ "but was a " + value.getClass().getName() );
		}
		Settings s = new Settings( settings );
		String name = s.string( ShardwiseSettings.TOPOLOGY_STORE, null );
		if ( name == null ) {
			if ( !s.has( ShardwiseSettings.TOPOLOGY_FILE ) ) {
				throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.TOPOLOGY_STORE + "' must be set, "
						+ "but was missing: set it to one of " + String.join( ", ", providers().keySet() )
						+ " or the class name of a TopologyStoreProvider, or set '" + ShardwiseSettings.TOPOLOGY_FILE
						+ "' to use the file store" );
			}
			name = FileTopologyStoreProvider.NAME;
		}
		return provider( name ).create( settings );
	}

	/**
	 * The provider with this short name (case-insensitive) or class name.
	 *
	 * @throws ShardwiseConfigurationException if there is none; the message lists the available names
	 */
	public static TopologyStoreProvider provider(String name) {
		Checks.notBlank( name, "topology store name" );
		String wanted = name.trim();
		Map<String, TopologyStoreProvider> available = providers();
		for ( Map.Entry<String, TopologyStoreProvider> entry : available.entrySet() ) {
			if ( entry.getKey().equalsIgnoreCase( wanted ) ) {
				return entry.getValue();
			}
		}
		if ( wanted.contains( "." ) ) {
			return instantiate( wanted );
		}
		String hint = wanted.equalsIgnoreCase( "hazelcast" )
				? " (the hazelcast store is in the module io.shardwise:hazelcast-topology: add it to the class path)"
				: "";
		throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.TOPOLOGY_STORE + "' must be one of "
				+ String.join( ", ", available.keySet() ) + " or the class name of a TopologyStoreProvider, but was "
				+ Checks.quote( wanted ) + hint );
	}

	/** The short names of the providers found on the class path, in discovery order. */
	public static List<String> availableNames() {
		return new ArrayList<>( providers().keySet() );
	}

	private static Map<String, TopologyStoreProvider> providers() {
		Map<String, TopologyStoreProvider> found = new LinkedHashMap<>();
		ClassLoader context = Thread.currentThread().getContextClassLoader();
		if ( context != null ) {
			load( context, found );
		}
		load( TopologyStores.class.getClassLoader(), found );
		return found;
	}

	private static void load(ClassLoader loader, Map<String, TopologyStoreProvider> found) {
		Iterator<TopologyStoreProvider> iterator = ServiceLoader.load( TopologyStoreProvider.class, loader ).iterator();
		while ( true ) {
			try {
				if ( !iterator.hasNext() ) {
					return;
				}
				TopologyStoreProvider provider = iterator.next();
				found.putIfAbsent( provider.name(), provider );
			}
			catch (ServiceConfigurationError e) {
				LOG.warn( "Skipping a TopologyStoreProvider that cannot be loaded: {}", e.getMessage() );
			}
		}
	}

	private static TopologyStoreProvider instantiate(String className) {
		Class<?> type;
		try {
			ClassLoader context = Thread.currentThread().getContextClassLoader();
			type = Class.forName( className, true, context != null ? context : TopologyStores.class.getClassLoader() );
		}
		catch (ClassNotFoundException | LinkageError e) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.TOPOLOGY_STORE + "' must be one of "
					+ String.join( ", ", providers().keySet() ) + " or the class name of a TopologyStoreProvider, but was '"
					+ className + "', which is not a class on the class path (" + e + ")", e );
		}
		if ( !TopologyStoreProvider.class.isAssignableFrom( type ) ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.TOPOLOGY_STORE + "' must name a "
					+ "class implementing " + TopologyStoreProvider.class.getName() + ", but " + className + " does not" );
		}
		try {
			return (TopologyStoreProvider) type.getConstructor().newInstance();
		}
		catch (ReflectiveOperationException | RuntimeException e) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.TOPOLOGY_STORE + "' names "
					+ className + ", which must have a public no-argument constructor that succeeds, but: " + e, e );
		}
	}
}
