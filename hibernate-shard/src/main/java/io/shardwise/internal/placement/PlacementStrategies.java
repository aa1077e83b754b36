package io.shardwise.internal.placement;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.Locale;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.internal.Checks;
import io.shardwise.internal.Settings;
import io.shardwise.spi.PlacementStrategy;

/**
 * Creates the {@link PlacementStrategy} named by {@value ShardwiseSettings#PLACEMENT_STRATEGY}: a short name
 * ({@value ConsistentHashPlacement#NAME}, {@value LeastLoadedPlacement#NAME}; case-insensitive) or the fully
 * qualified name of a class implementing {@link PlacementStrategy} with a public no-argument constructor.
 */
public final class PlacementStrategies {

	/** The strategy used when {@value ShardwiseSettings#PLACEMENT_STRATEGY} is not set. */
	public static final String DEFAULT = ConsistentHashPlacement.NAME;

	private PlacementStrategies() {
	}

	/**
	 * Creates the strategy configured in the settings ({@value ShardwiseSettings#PLACEMENT_STRATEGY}, default
	 * {@value #DEFAULT}; {@value ShardwiseSettings#PLACEMENT_VIRTUAL_NODES}, default
	 * {@value ConsistentHashRing#DEFAULT_VIRTUAL_NODES}).
	 *
	 * @throws ShardwiseConfigurationException if a property is invalid
	 */
	public static PlacementStrategy create(Settings settings) {
		Checks.notNull( settings, "settings" );
		int virtualNodes = settings.integer( ShardwiseSettings.PLACEMENT_VIRTUAL_NODES,
				ConsistentHashRing.DEFAULT_VIRTUAL_NODES, 1 );
		return create( settings.string( ShardwiseSettings.PLACEMENT_STRATEGY, DEFAULT ), virtualNodes );
	}

	/**
	 * Creates a strategy by name.
	 *
	 * @param name a short name or the fully qualified name of a {@link PlacementStrategy} class
	 * @param virtualNodes virtual nodes per shard of average weight, for {@value ConsistentHashPlacement#NAME};
	 * at least 1
	 * @throws ShardwiseConfigurationException if the name is neither a short name nor a usable class, or
	 * {@code virtualNodes} is less than 1
	 */
	public static PlacementStrategy create(String name, int virtualNodes) {
		if ( virtualNodes < 1 ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.PLACEMENT_VIRTUAL_NODES
					+ "' must be at least 1, but was " + virtualNodes + " (default: "
					+ ConsistentHashRing.DEFAULT_VIRTUAL_NODES + ")" );
		}
		String trimmed = name == null ? "" : name.trim();
		switch ( trimmed.toLowerCase( Locale.ROOT ) ) {
			case ConsistentHashPlacement.NAME:
				return new ConsistentHashPlacement( virtualNodes );
			case LeastLoadedPlacement.NAME:
				return new LeastLoadedPlacement();
			default:
				return instantiate( name, trimmed );
		}
	}

	private static PlacementStrategy instantiate(String name, String className) {
		Class<?> type = load( className );
		if ( type == null ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.PLACEMENT_STRATEGY
					+ "' must be one of " + ConsistentHashPlacement.NAME + ", " + LeastLoadedPlacement.NAME
					+ " or a class name implementing " + PlacementStrategy.class.getName() + ", but was "
					+ Checks.quote( name ) );
		}
		String prefix = "property '" + ShardwiseSettings.PLACEMENT_STRATEGY + "' names class '" + className + "'";
		if ( !PlacementStrategy.class.isAssignableFrom( type ) ) {
			throw new ShardwiseConfigurationException( prefix + ", which does not implement "
					+ PlacementStrategy.class.getName() );
		}
		if ( type.isInterface() || Modifier.isAbstract( type.getModifiers() ) ) {
			throw new ShardwiseConfigurationException( prefix + ", which is abstract: name a concrete class" );
		}
		Constructor<?> constructor;
		try {
			constructor = type.getConstructor();
		}
		catch (NoSuchMethodException e) {
			throw new ShardwiseConfigurationException( prefix + ", which has no public no-argument constructor" );
		}
		try {
			return (PlacementStrategy) constructor.newInstance();
		}
		catch (InvocationTargetException e) {
			throw new ShardwiseConfigurationException( prefix + ", whose constructor failed: " + e.getCause(), e.getCause() );
		}
		catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
			throw new ShardwiseConfigurationException( prefix + ", which could not be instantiated: " + e, e );
		}
	}

	/** The class, from the thread context class loader or else this library's, or {@code null} if neither has it. */
	private static Class<?> load(String className) {
		if ( className.isEmpty() ) {
			return null;
		}
		ClassLoader context = Thread.currentThread().getContextClassLoader();
		ClassLoader own = PlacementStrategies.class.getClassLoader();
		for ( ClassLoader loader : new ClassLoader[] { context, own } ) {
			if ( loader == null ) {
				continue;
			}
			try {
				return Class.forName( className, false, loader );
			}
			catch (ClassNotFoundException e) {
				// try the next loader
			}
			catch (LinkageError e) {
				throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.PLACEMENT_STRATEGY
						+ "' names class '" + className + "', which could not be loaded: " + e, e );
			}
		}
		return null;
	}
}
