package io.shardwise.internal.query;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;

import org.hibernate.dialect.Dialect;
import org.hibernate.dialect.H2Dialect;
import org.hibernate.dialect.NullOrdering;
import org.hibernate.dialect.PostgreSQLDialect;
import org.hibernate.query.SortDirection;

import jakarta.persistence.criteria.Nulls;

/**
 * What the merger must know about the database to answer exactly as it would: where NULLs sort, how strings are
 * ordered and compared, how floating-point values compare, and how AVG rounds. Chosen by Hibernate's dialect; the
 * string rules are verified on every shard database before a query that relies on them (see {@link #probe}).
 */
final class DatabaseSemantics {
	enum Product {
		POSTGRESQL, H2, OTHER
	}

	private static final Set<String> CODE_POINT_COLLATIONS = Set.of( "c", "posix", "c.utf-8", "c.utf8", "ucs_basic" );
	private static final double EXACT_DOUBLE_LIMIT = 0x1p53;

	private final Product product;
	private final NullOrdering nullOrdering;
	private final Nulls defaultPrecedence;
	private final String dialectName;

	DatabaseSemantics(Dialect dialect, Nulls defaultPrecedence) {
		this.product = dialect instanceof PostgreSQLDialect ? Product.POSTGRESQL
				: dialect instanceof H2Dialect ? Product.H2 : Product.OTHER;
		this.nullOrdering = dialect.getNullOrdering();
		this.defaultPrecedence = defaultPrecedence == null ? Nulls.NONE : defaultPrecedence;
		this.dialectName = dialect.getClass().getSimpleName();
	}

	Product product() {
		return product;
	}

	String dialectName() {
		return dialectName;
	}

	/** Whether NULLs come first for a sort key with this direction and explicit precedence (NONE: the default). */
	boolean nullsFirst(SortDirection direction, Nulls precedence) {
		Nulls p = precedence == null || precedence == Nulls.NONE ? defaultPrecedence : precedence;
		if ( p == Nulls.FIRST ) {
			return true;
		}
		if ( p == Nulls.LAST ) {
			return false;
		}
		boolean ascending = direction == SortDirection.ASCENDING;
		return switch ( nullOrdering ) {
			case SMALLEST -> ascending;
			case GREATEST -> !ascending;
			case FIRST -> true;
			case LAST -> false;
		};
	}

	/** The string order the dialect's databases are expected to have (verified per shard by {@link #probe}). */
	StringOrder expectedStrings() {
		return switch ( product ) {
			case POSTGRESQL -> StringOrder.CODE_POINT;
			case H2 -> StringOrder.UTF16;
			case OTHER -> StringOrder.UNKNOWN;
		};
	}

	/** Whether floating-point values compare as in SQL (PostgreSQL) rather than as {@link Double#compare} (H2). */
	boolean sqlFloats() {
		return product == Product.POSTGRESQL;
	}

	/** Whether a plan with these needs must be checked against each shard database by {@link #probe}. */
	boolean needsProbe(StringOrder strings, boolean sorts) {
		return strings != null || sorts && product == Product.H2;
	}

	/**
	 * Reads how one shard database orders strings and NULLs.
	 *
	 * @param needed what the plan needs of strings, or {@code null} for nothing
	 * @return {@code null} if it matches {@link #expectedStrings()} for what {@code needed} requires (and, on H2, sorts
	 *         NULLs as Hibernate's dialect assumes), else a message saying what differs
	 */
	String probe(Connection c, StringOrder needed) throws SQLException {
		if ( product == Product.POSTGRESQL && needed != null ) {
			String collation;
			String provider = "c";
			try ( Statement st = c.createStatement();
					ResultSet rs = st.executeQuery( "select * from pg_database where datname = current_database()" ) ) {
				rs.next();
				collation = rs.getString( "datcollate" );
				if ( hasColumn( rs, "datlocprovider" ) ) {
					provider = rs.getString( "datlocprovider" );
				}
			}
			StringOrder actual = "c".equals( provider ) && CODE_POINT_COLLATIONS.contains( collation.toLowerCase( Locale.ROOT ) )
					? StringOrder.CODE_POINT : StringOrder.EQUALITY_ONLY;
			return satisfies( actual, needed ) ? null : "its database collation is '" + collation + "' (provider " + provider
					+ "), which orders strings linguistically; the merger reproduces only the code-point order of the C, "
					+ "POSIX and C.UTF-8 collations";
		}
		if ( product == Product.H2 ) {
			String collation = null;
			String ignoreCase = null;
			String nulls = null;
			try ( Statement st = c.createStatement();
					ResultSet rs = st.executeQuery( "select SETTING_NAME, SETTING_VALUE from INFORMATION_SCHEMA.SETTINGS "
							+ "where SETTING_NAME in ('COLLATION', 'IGNORECASE', 'DEFAULT_NULL_ORDERING')" ) ) {
				while ( rs.next() ) {
					switch ( rs.getString( 1 ) ) {
						case "COLLATION" -> collation = rs.getString( 2 );
						case "IGNORECASE" -> ignoreCase = rs.getString( 2 );
						default -> nulls = rs.getString( 2 );
					}
				}
			}
			if ( nulls != null && !"LOW".equalsIgnoreCase( nulls ) ) {
				return "its DEFAULT_NULL_ORDERING is " + nulls + ", but Hibernate's H2 dialect (and so the merger) assumes LOW";
			}
			if ( needed == null ) {
				return null;
			}
			boolean caseInsensitive = ignoreCase != null && !"0".equals( ignoreCase ) && !"FALSE".equalsIgnoreCase( ignoreCase );
			StringOrder actual = caseInsensitive ? StringOrder.UNKNOWN
					: collation == null || "OFF".equalsIgnoreCase( collation ) ? StringOrder.UTF16 : StringOrder.UNKNOWN;
			return satisfies( actual, needed ) ? null : "its string collation is " + ( collation == null ? "OFF" : collation )
					+ ( caseInsensitive ? " with IGNORECASE" : "" ) + "; the merger reproduces only the default collation OFF";
		}
		return null;
	}

	private static boolean satisfies(StringOrder actual, StringOrder needed) {
		if ( needed.ordered() ) {
			return actual.ordered();
		}
		return !needed.binaryEquality() || actual.binaryEquality();
	}

	private static boolean hasColumn(ResultSet rs, String name) throws SQLException {
		for ( int i = 1; i <= rs.getMetaData().getColumnCount(); i++ ) {
			if ( rs.getMetaData().getColumnName( i ).equalsIgnoreCase( name ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * AVG from the merged SUM and COUNT of its argument, rounded as the database rounds {@code avg(x)} (which Hibernate
	 * returns as a Double): integer arguments are averaged in double precision (Hibernate casts them), NUMERIC ones by
	 * the database's decimal division. Floating-point sums depend on the order of addition, in the database too, so
	 * their averages may differ from a single database's in the last bits.
	 */
	Double average(Number sum, long count) {
		if ( sum == null || count == 0 ) {
			return null;
		}
		if ( sum instanceof BigDecimal d ) {
			BigDecimal n = BigDecimal.valueOf( count );
			return switch ( product ) {
				case POSTGRESQL -> postgresDivide( d, n ).doubleValue();
				case H2 -> d.divide( n, d.scale() + 10, RoundingMode.HALF_DOWN ).doubleValue();
				case OTHER -> d.divide( n, MathContext.DECIMAL128 ).doubleValue();
			};
		}
		if ( ValueKind.isFloating( sum ) ) {
			return sum.doubleValue() / count;
		}
		BigInteger total = sum instanceof BigInteger i ? i : BigInteger.valueOf( sum.longValue() );
		if ( total.bitLength() < 53 && Math.abs( total.doubleValue() ) < EXACT_DOUBLE_LIMIT ) {
			return total.doubleValue() / (double) count;
		}
		return new BigDecimal( total ).divide( BigDecimal.valueOf( count ), MathContext.DECIMAL128 ).doubleValue();
	}

	/**
	 * PostgreSQL's {@code numeric / numeric}: at least 16 significant digits and no fewer decimals than either
	 * operand's display scale, rounded half away from zero (its {@code select_div_scale} and {@code div_var}).
	 */
	static BigDecimal postgresDivide(BigDecimal x, BigDecimal y) {
		int[] a = weightAndFirstDigit( x );
		int[] b = weightAndFirstDigit( y );
		int qweight = a[0] - b[0];
		if ( a[1] <= b[1] ) {
			qweight--;
		}
		int rscale = 16 - qweight * 4;
		rscale = Math.max( rscale, Math.max( x.scale(), 0 ) );
		rscale = Math.max( rscale, Math.max( y.scale(), 0 ) );
		rscale = Math.min( Math.max( rscale, 0 ), 1000 );
		return x.divide( y, rscale, RoundingMode.HALF_UP );
	}

	/** Weight and first digit of a value in PostgreSQL's base-10000 representation ({0, 0} for zero). */
	static int[] weightAndFirstDigit(BigDecimal v) {
		if ( v.signum() == 0 ) {
			return new int[] { 0, 0 };
		}
		BigDecimal u = v.abs();
		int exponent = u.precision() - u.scale() - 1;
		int weight = Math.floorDiv( exponent, 4 );
		int first = u.movePointLeft( 4 * weight ).setScale( 0, RoundingMode.DOWN ).intValueExact();
		return new int[] { weight, first };
	}
}
