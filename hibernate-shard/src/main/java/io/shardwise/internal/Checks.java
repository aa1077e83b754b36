package io.shardwise.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks worded the same way everywhere: "X must be ..., but was V".
 */
public final class Checks {
	private Checks() {
	}

	public static <T> T notNull(T value, String what) {
		if ( value == null ) {
			throw new IllegalArgumentException( what + " must not be null" );
		}
		return value;
	}

	public static String notBlank(String value, String what) {
		if ( value == null || value.isBlank() ) {
			throw new IllegalArgumentException( what + " must be a non-blank string, but was " + quote( value ) );
		}
		return value;
	}

	public static int positive(int value, String what) {
		if ( value <= 0 ) {
			throw new IllegalArgumentException( what + " must be greater than 0, but was " + value );
		}
		return value;
	}

	public static int notNegative(int value, String what) {
		if ( value < 0 ) {
			throw new IllegalArgumentException( what + " must be 0 or greater, but was " + value );
		}
		return value;
	}

	public static long positive(long value, String what) {
		if ( value <= 0 ) {
			throw new IllegalArgumentException( what + " must be greater than 0, but was " + value );
		}
		return value;
	}

	public static Duration positive(Duration value, String what) {
		Objects.requireNonNull( value, what );
		if ( value.isNegative() || value.isZero() ) {
			throw new IllegalArgumentException( what + " must be a positive duration, but was " + value );
		}
		return value;
	}

	public static Duration notNegative(Duration value, String what) {
		Objects.requireNonNull( value, what );
		if ( value.isNegative() ) {
			throw new IllegalArgumentException( what + " must be zero or a positive duration, but was " + value );
		}
		return value;
	}

	/**
	 * A shard name: 1..64 characters of letters, digits, '-', '_' and '.'; used in pool names and metric tags.
	 */
	public static String shardName(String value) {
		if ( value == null || value.isEmpty() || value.length() > 64 ) {
			throw new IllegalArgumentException( "shard name must be 1 to 64 characters of [A-Za-z0-9._-], but was " + quote( value ) );
		}
		for ( int i = 0; i < value.length(); i++ ) {
			char c = value.charAt( i );
			boolean ok = ( c >= 'a' && c <= 'z' ) || ( c >= 'A' && c <= 'Z' ) || ( c >= '0' && c <= '9' )
					|| c == '-' || c == '_' || c == '.';
			if ( !ok ) {
				throw new IllegalArgumentException( "shard name must be 1 to 64 characters of [A-Za-z0-9._-], but was " + quote( value ) );
			}
		}
		return value;
	}

	/**
	 * Quotes a value for an error message, escaping control characters and cutting very long values.
	 */
	public static String quote(Object value) {
		if ( value == null ) {
			return "null";
		}
		String s = value.toString();
		StringBuilder sb = new StringBuilder( Math.min( s.length(), 80 ) + 2 ).append( '\'' );
		int max = Math.min( s.length(), 80 );
		for ( int i = 0; i < max; i++ ) {
			char c = s.charAt( i );
			if ( Character.isISOControl( c ) ) {
				sb.append( String.format( "\\u%04x", (int) c ) );
			}
			else {
				sb.append( c );
			}
		}
		sb.append( '\'' );
		if ( s.length() > max ) {
			sb.append( "... (" ).append( s.length() ).append( " chars)" );
		}
		return sb.toString();
	}
}
