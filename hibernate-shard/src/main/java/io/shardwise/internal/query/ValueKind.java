package io.shardwise.internal.query;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZonedDateTime;
import java.util.Calendar;
import java.util.Comparator;
import java.util.UUID;

/**
 * The kinds of values the merger can compare the way the database does, with their comparators (for non-null values)
 * and the normalisation used for equality (GROUP BY and DISTINCT keys).
 */
enum ValueKind {
	NUMBER, STRING, BOOLEAN, TEMPORAL, UUID_VALUE, ENUM_ORDINAL, ENUM_NAME, UNSUPPORTED;

	/** The kind of a Java type (enums are decided by their mapping, see {@link #ENUM_ORDINAL}). */
	static ValueKind of(Class<?> type) {
		if ( type == null ) {
			return UNSUPPORTED;
		}
		if ( Number.class.isAssignableFrom( type ) || type == int.class || type == long.class || type == short.class
				|| type == byte.class || type == double.class || type == float.class ) {
			return type == BigDecimal.class || type == BigInteger.class || type == Long.class || type == Integer.class
					|| type == Short.class || type == Byte.class || type == Double.class || type == Float.class
					|| type.isPrimitive() ? NUMBER : UNSUPPORTED;
		}
		if ( type == String.class || type == Character.class || type == char.class ) {
			return STRING;
		}
		if ( type == Boolean.class || type == boolean.class ) {
			return BOOLEAN;
		}
		if ( type == LocalDate.class || type == LocalTime.class || type == LocalDateTime.class || type == Instant.class
				|| type == OffsetDateTime.class || type == ZonedDateTime.class || type == OffsetTime.class
				|| type == Year.class || type == YearMonth.class || type == Duration.class
				|| java.util.Date.class.isAssignableFrom( type ) || Calendar.class.isAssignableFrom( type ) ) {
			return TEMPORAL;
		}
		if ( type == UUID.class ) {
			return UUID_VALUE;
		}
		return UNSUPPORTED;
	}

	/**
	 * A comparator of non-null values of this kind, as the database compares them.
	 *
	 * @param strings how the database orders strings (must be {@link StringOrder#ordered()} for {@link #STRING}
	 *        and {@link #ENUM_NAME})
	 * @param sqlFloats whether floating-point values compare as in SQL ({@code -0.0 = 0.0}, NaN greatest and equal
	 *        to itself: PostgreSQL) rather than as {@link Double#compare} (H2)
	 */
	Comparator<Object> comparator(StringOrder strings, boolean sqlFloats) {
		return switch ( this ) {
			case NUMBER -> (a, b) -> compareNumbers( (Number) a, (Number) b, sqlFloats );
			case STRING -> {
				Comparator<String> c = strings.comparator();
				yield (a, b) -> c.compare( a.toString(), b.toString() );
			}
			case BOOLEAN -> (a, b) -> Boolean.compare( (Boolean) a, (Boolean) b );
			case TEMPORAL -> ValueKind::compareTemporal;
			case UUID_VALUE -> (a, b) -> compareUuids( (UUID) a, (UUID) b );
			case ENUM_ORDINAL -> (a, b) -> Integer.compare( ( (Enum<?>) a ).ordinal(), ( (Enum<?>) b ).ordinal() );
			case ENUM_NAME -> {
				Comparator<String> c = strings.comparator();
				yield (a, b) -> c.compare( ( (Enum<?>) a ).name(), ( (Enum<?>) b ).name() );
			}
			case UNSUPPORTED -> throw new IllegalStateException( "no comparator for unsupported values" );
		};
	}

	static int compareNumbers(Number a, Number b, boolean sqlFloats) {
		if ( isFloating( a ) || isFloating( b ) ) {
			double x = a.doubleValue();
			double y = b.doubleValue();
			if ( sqlFloats ) {
				if ( Double.isNaN( x ) || Double.isNaN( y ) ) {
					return Boolean.compare( Double.isNaN( x ), Double.isNaN( y ) );
				}
				return x == y ? 0 : ( x < y ? -1 : 1 );
			}
			return Double.compare( x, y );
		}
		if ( isIntegral( a ) && isIntegral( b ) ) {
			return Long.compare( a.longValue(), b.longValue() );
		}
		return toBigDecimal( a ).compareTo( toBigDecimal( b ) );
	}

	static boolean isFloating(Number n) {
		return n instanceof Double || n instanceof Float;
	}

	static boolean isIntegral(Number n) {
		return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
	}

	static BigDecimal toBigDecimal(Number n) {
		if ( n instanceof BigDecimal d ) {
			return d;
		}
		if ( n instanceof BigInteger i ) {
			return new BigDecimal( i );
		}
		if ( isIntegral( n ) ) {
			return BigDecimal.valueOf( n.longValue() );
		}
		return new BigDecimal( n.doubleValue() );
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static int compareTemporal(Object a, Object b) {
		if ( a instanceof OffsetDateTime x && b instanceof OffsetDateTime y ) {
			return x.toInstant().compareTo( y.toInstant() );
		}
		if ( a instanceof ZonedDateTime x && b instanceof ZonedDateTime y ) {
			return x.toInstant().compareTo( y.toInstant() );
		}
		if ( a instanceof java.sql.Timestamp x && b instanceof java.sql.Timestamp y ) {
			return x.compareTo( y );
		}
		if ( a instanceof java.util.Date x && b instanceof java.util.Date y ) {
			return Long.compare( x.getTime(), y.getTime() );
		}
		return ( (Comparable) a ).compareTo( b );
	}

	/** PostgreSQL and H2 compare UUIDs as 16 unsigned bytes; {@link UUID#compareTo} compares signed longs. */
	static int compareUuids(UUID a, UUID b) {
		int c = Long.compareUnsigned( a.getMostSignificantBits(), b.getMostSignificantBits() );
		return c != 0 ? c : Long.compareUnsigned( a.getLeastSignificantBits(), b.getLeastSignificantBits() );
	}

	/**
	 * A value with the same {@code equals}/{@code hashCode} as every value the database considers equal to it
	 * (numbers of any scale, {@code -0.0} and {@code 0.0}, instants at different offsets).
	 */
	static Object normalize(Object v) {
		if ( v instanceof BigDecimal d ) {
			return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
		}
		if ( v instanceof Double d ) {
			return d == 0.0 ? 0.0 : d;
		}
		if ( v instanceof Float f ) {
			return f == 0.0f ? 0.0 : f.doubleValue();
		}
		if ( v instanceof Integer || v instanceof Short || v instanceof Byte ) {
			return ( (Number) v ).longValue();
		}
		if ( v instanceof BigInteger i && i.bitLength() < 64 ) {
			return i.longValue();
		}
		if ( v instanceof OffsetDateTime t ) {
			return t.toInstant();
		}
		if ( v instanceof ZonedDateTime t ) {
			return t.toInstant();
		}
		return v;
	}
}
