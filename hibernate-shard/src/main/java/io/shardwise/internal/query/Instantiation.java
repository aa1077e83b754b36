package io.shardwise.internal.query;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.hibernate.query.sqm.DynamicInstantiationNature;
import org.hibernate.query.sqm.tree.select.SqmDynamicInstantiation;
import org.hibernate.sql.results.graph.instantiation.internal.InstantiationHelper;
import org.hibernate.type.spi.TypeConfiguration;

import io.shardwise.query.CrossShardQueryException;

/**
 * A {@code select new ...} of a cross-shard query: its arguments are planned and merged as ordinary selected columns,
 * and each merged row is turned into the object here. {@code new Dto(...)} calls the constructor Hibernate would
 * choose (by argument count and assignable types, {@link InstantiationHelper}); {@code new list(...)} gives an
 * {@code ArrayList}, {@code new map(...)} a {@code HashMap} keyed by the arguments' aliases.
 */
final class Instantiation {
	private final DynamicInstantiationNature nature;
	private final Class<?> type;
	private final Constructor<?> constructor;
	private final String[] aliases;

	private Instantiation(DynamicInstantiationNature nature, Class<?> type, Constructor<?> constructor, String[] aliases) {
		this.nature = nature;
		this.type = type;
		this.constructor = constructor;
		this.aliases = aliases;
	}

	/**
	 * Resolves how to construct the objects of a dynamic instantiation.
	 *
	 * @param argumentTypes the Java types of its arguments, in order
	 * @param aliases the arguments' aliases ({@code null} elements where there is none)
	 * @throws IllegalArgumentException if no constructor accepts the arguments, or a map argument has no alias
	 */
	static Instantiation of(SqmDynamicInstantiation<?> node, List<Class<?>> argumentTypes, List<String> aliases,
			TypeConfiguration typeConfiguration) {
		DynamicInstantiationNature nature = node.getInstantiationTarget().getNature();
		Class<?> type = node.getInstantiationTarget().getJavaType();
		String text = SqmInspector.describe( node );
		switch ( nature ) {
			case LIST -> {
				return new Instantiation( nature, type, null, null );
			}
			case MAP -> {
				List<Integer> unnamed = new ArrayList<>();
				for ( int i = 0; i < aliases.size(); i++ ) {
					if ( aliases.get( i ) == null ) {
						unnamed.add( i + 1 );
					}
				}
				if ( !unnamed.isEmpty() ) {
					throw new IllegalArgumentException( "every argument of 'select new map(...)' must have an alias (the map "
							+ "key), but argument(s) " + unnamed + " of " + text + " had none: write 'expression as key'" );
				}
				return new Instantiation( nature, type, null, aliases.toArray( new String[0] ) );
			}
			default -> {
				Constructor<?> c = InstantiationHelper.findMatchingConstructor( type, argumentTypes, typeConfiguration );
				if ( c == null ) {
					throw new IllegalArgumentException( "the class " + type.getName() + " of 'select new' must have a "
							+ "constructor taking (" + names( argumentTypes ) + "), but its constructors are "
							+ Arrays.stream( type.getDeclaredConstructors() ).map( k -> "(" + names( Arrays.asList( k.getParameterTypes() ) ) + ")" )
									.collect( Collectors.joining( ", " ) )
							+ "; add a constructor whose parameters accept the selected values in this order, or cast the "
							+ "values (bean injection by alias is not supported across shards)" );
				}
				try {
					c.setAccessible( true );
				}
				catch (RuntimeException e) {
					throw new IllegalArgumentException( "the constructor " + c + " of 'select new' must be accessible, but "
							+ "was not: " + e.getMessage() + "; make it public", e );
				}
				return new Instantiation( nature, type, c, null );
			}
		}
	}

	private static String names(List<Class<?>> types) {
		return types.stream().map( t -> t == null ? "unknown" : t.getName() ).collect( Collectors.joining( ", " ) );
	}

	/** The class the objects are instances of (for map and list: {@code Map}, {@code List}). */
	Class<?> type() {
		return type;
	}

	/** Constructs the object of a merged row from its first {@code arguments} values. */
	Object create(Object[] row, int arguments) {
		switch ( nature ) {
			case LIST -> {
				return new ArrayList<>( Arrays.asList( row ).subList( 0, arguments ) );
			}
			case MAP -> {
				Map<String, Object> map = new HashMap<>();
				for ( int i = 0; i < arguments; i++ ) {
					map.put( aliases[i], row[i] );
				}
				return map;
			}
			default -> {
				Object[] args = row.length == arguments ? row : Arrays.copyOf( row, arguments );
				try {
					return constructor.newInstance( args );
				}
				catch (InvocationTargetException e) {
					throw new CrossShardQueryException( "the constructor " + constructor + " of 'select new' failed on the "
							+ "merged row " + Arrays.toString( args ) + ": " + e.getCause(), e.getCause() );
				}
				catch (ReflectiveOperationException | IllegalArgumentException e) {
					throw new CrossShardQueryException( "the constructor " + constructor + " of 'select new' cannot be "
							+ "called with the merged row " + Arrays.toString( args ) + " (a NULL for a primitive parameter?): "
							+ e, e );
				}
			}
		}
	}

	@Override
	public String toString() {
		return switch ( nature ) {
			case LIST -> "new list(...)";
			case MAP -> "new map(...)";
			default -> "new " + type.getName() + "(...)";
		};
	}
}
