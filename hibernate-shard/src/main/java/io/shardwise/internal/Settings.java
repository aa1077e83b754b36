package io.shardwise.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import io.shardwise.ShardwiseConfigurationException;

/**
 * Typed reads of persistence-unit settings, failing with a message that names the property, the value and what is
 * expected.
 */
public final class Settings {
	private final Map<String, Object> values;

	public Settings(Map<String, ?> values) {
		@SuppressWarnings("unchecked")
		Map<String, Object> v = (Map<String, Object>) values;
		this.values = v;
	}

	public Map<String, Object> raw() {
		return values;
	}

	public Object object(String key) {
		return values.get( key );
	}

	public boolean has(String key) {
		Object v = values.get( key );
		return v != null && !( v instanceof String s && s.isBlank() );
	}

	public String string(String key, String defaultValue) {
		Object v = values.get( key );
		if ( v == null ) {
			return defaultValue;
		}
		String s = v.toString().trim();
		return s.isEmpty() ? defaultValue : s;
	}

	public String requiredString(String key, String hint) {
		String s = string( key, null );
		if ( s == null ) {
			throw new ShardwiseConfigurationException( "property '" + key + "' must be set, but was missing: " + hint );
		}
		return s;
	}

	public int integer(String key, int defaultValue, int min) {
		Object v = values.get( key );
		if ( v == null || v.toString().isBlank() ) {
			return defaultValue;
		}
		int parsed;
		if ( v instanceof Number n ) {
			parsed = n.intValue();
		}
		else {
			try {
				parsed = Integer.parseInt( v.toString().trim() );
			}
			catch (NumberFormatException e) {
				throw new ShardwiseConfigurationException( "property '" + key + "' must be an integer, but was "
						+ Checks.quote( v ) + " (default: " + defaultValue + ")" );
			}
		}
		if ( parsed < min ) {
			throw new ShardwiseConfigurationException( "property '" + key + "' must be at least " + min + ", but was "
					+ parsed + " (default: " + defaultValue + ")" );
		}
		return parsed;
	}

	/** The integer if set, else {@code null}; {@code defaultValue} is only named in the error message. */
	public Integer optionalInteger(String key, int min, int defaultValue) {
		return has( key ) ? integer( key, defaultValue, min ) : null;
	}

	public boolean bool(String key, boolean defaultValue) {
		Object v = values.get( key );
		if ( v == null || v.toString().isBlank() ) {
			return defaultValue;
		}
		if ( v instanceof Boolean b ) {
			return b;
		}
		String s = v.toString().trim().toLowerCase( Locale.ROOT );
		if ( s.equals( "true" ) ) {
			return true;
		}
		if ( s.equals( "false" ) ) {
			return false;
		}
		throw new ShardwiseConfigurationException( "property '" + key + "' must be true or false, but was "
				+ Checks.quote( v ) + " (default: " + defaultValue + ")" );
	}

	public Duration duration(String key, Duration defaultValue) {
		Object v = values.get( key );
		if ( v == null || v.toString().isBlank() ) {
			return defaultValue;
		}
		if ( v instanceof Duration d ) {
			return d;
		}
		try {
			return parseDuration( v.toString() );
		}
		catch (IllegalArgumentException e) {
			throw new ShardwiseConfigurationException( "property '" + key + "' must be a duration such as 500ms, 30s, 5m, 1h "
					+ "or PT30S, but was " + Checks.quote( v ) + " (default: " + defaultValue + ")" );
		}
	}

	public Duration optionalDuration(String key) {
		return has( key ) ? duration( key, null ) : null;
	}

	public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue, Function<E, String> spelling) {
		Object v = values.get( key );
		if ( v == null || v.toString().isBlank() ) {
			return defaultValue;
		}
		if ( type.isInstance( v ) ) {
			return type.cast( v );
		}
		String s = v.toString().trim();
		StringBuilder allowed = new StringBuilder();
		for ( E e : type.getEnumConstants() ) {
			if ( spelling.apply( e ).equalsIgnoreCase( s ) || e.name().equalsIgnoreCase( s ) ) {
				return e;
			}
			allowed.append( allowed.length() == 0 ? "" : ", " ).append( spelling.apply( e ) );
		}
		throw new ShardwiseConfigurationException( "property '" + key + "' must be one of " + allowed + ", but was "
				+ Checks.quote( v ) + " (default: " + spelling.apply( defaultValue ) + ")" );
	}

	/**
	 * Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}, a bare number of milliseconds, or ISO-8601.
	 */
	public static Duration parseDuration(String text) {
		String s = text.trim().toLowerCase( Locale.ROOT );
		if ( s.startsWith( "p" ) ) {
			try {
				return Duration.parse( text.trim().toUpperCase( Locale.ROOT ) );
			}
			catch (DateTimeParseException e) {
				throw new IllegalArgumentException( text );
			}
		}
		int i = 0;
		while ( i < s.length() && Character.isDigit( s.charAt( i ) ) ) {
			i++;
		}
		if ( i == 0 ) {
			throw new IllegalArgumentException( text );
		}
		long n = Long.parseLong( s.substring( 0, i ) );
		String unit = s.substring( i ).trim();
		return switch ( unit ) {
			case "", "ms" -> Duration.ofMillis( n );
			case "s" -> Duration.ofSeconds( n );
			case "m", "min" -> Duration.ofMinutes( n );
			case "h" -> Duration.ofHours( n );
			case "d" -> Duration.ofDays( n );
			default -> throw new IllegalArgumentException( text );
		};
	}
}
