package io.shardwise.internal.query;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.UUID;

import org.hibernate.dialect.H2Dialect;
import org.hibernate.dialect.PostgreSQLDialect;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import jakarta.persistence.criteria.Nulls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The merger computes AVG of a NUMERIC column from the shards' sums and counts; to equal a single database's
 * {@code avg(x)} exactly it must round as that database does. Checked against the databases themselves: PostgreSQL's
 * {@code numeric / numeric} (which its {@code avg} uses) and H2's {@code avg} of a NUMERIC column, for many random
 * sums and counts, including the awkward ones (sums below 1, huge counts, ties at the rounding digit).
 */
class AverageRoundingTest {
	private static final int CASES = 3000;

	@Test
	void postgresNumericDivisionIsReproducedExactly() throws SQLException {
		Connection c;
		try {
			c = DriverManager.getConnection( "jdbc:postgresql://127.0.0.1:5432/postgres?connectTimeout=3", "postgres", "" );
		}
		catch (SQLException e) {
			String message = "*** PostgreSQL at 127.0.0.1:5432 is not reachable (" + e.getMessage() + "): SKIPPING. "
					+ "With CI=true this is a failure. ***";
			System.err.println( message );
			if ( "true".equalsIgnoreCase( System.getenv( "CI" ) ) ) {
				fail( message, e );
			}
			Assumptions.abort( message );
			return;
		}
		DatabaseSemantics pg = new DatabaseSemantics( new PostgreSQLDialect(), Nulls.NONE );
		Random rnd = new Random( 42 );
		try ( c; PreparedStatement div = c.prepareStatement( "select ?::numeric / ?::numeric" );
				PreparedStatement avg = c.prepareStatement( "select avg(v) from (select ?::numeric as v union all "
						+ "select 0 from generate_series(2, ?)) t" ) ) {
			int averaged = 0;
			for ( int i = 0; i < CASES; i++ ) {
				BigDecimal sum = randomSum( rnd );
				long count = randomCount( rnd );
				div.setBigDecimal( 1, sum );
				div.setLong( 2, count );
				try ( ResultSet rs = div.executeQuery() ) {
					rs.next();
					assertThat( DatabaseSemantics.postgresDivide( sum, BigDecimal.valueOf( count ) ) )
							.as( "%s / %d", sum, count ).isEqualTo( rs.getBigDecimal( 1 ) );
				}
				if ( count <= 2000 ) {
					// the real avg(): the sum and count - 1 zeros
					avg.setBigDecimal( 1, sum );
					avg.setLong( 2, count );
					try ( ResultSet rs = avg.executeQuery() ) {
						rs.next();
						assertThat( pg.average( sum, count ) ).as( "avg: %s / %d", sum, count ).isEqualTo( rs.getDouble( 1 ) );
					}
					averaged++;
				}
			}
			assertThat( averaged ).isGreaterThan( CASES / 4 );
		}
	}

	@Test
	void h2AverageOfNumericIsReproducedExactly() throws SQLException {
		DatabaseSemantics h2 = new DatabaseSemantics( new H2Dialect(), Nulls.NONE );
		Random rnd = new Random( 43 );
		try ( Connection c = DriverManager.getConnection( "jdbc:h2:mem:avg-" + UUID.randomUUID() );
				Statement st = c.createStatement() ) {
			st.execute( "create table v (x numeric(14,2))" );
			for ( int i = 0; i < 400; i++ ) {
				st.execute( "delete from v" );
				int n = 1 + rnd.nextInt( i % 10 == 0 ? 3000 : 40 );
				BigDecimal sum = BigDecimal.ZERO.setScale( 2 );
				try ( PreparedStatement ins = c.prepareStatement( "insert into v values (?)" ) ) {
					for ( int k = 0; k < n; k++ ) {
						BigDecimal x = BigDecimal.valueOf( rnd.nextInt( 2_000_000 ) - 1_000_000, 2 );
						if ( k > 0 && rnd.nextInt( 4 ) == 0 ) {
							x = BigDecimal.ZERO.setScale( 2 ); // many zeros: quotients with exact decimal expansions (ties)
						}
						sum = sum.add( x );
						ins.setBigDecimal( 1, x );
						ins.addBatch();
					}
					ins.executeBatch();
				}
				assertH2Average( h2, st, n, sum );
			}
			// ties at the last kept digit: x / 2048 has 13 decimals, H2 keeps 12 (rounding half down)
			for ( String x : new String[] { "0.01", "0.03", "-0.01", "12.34" } ) {
				st.execute( "delete from v" );
				st.execute( "insert into v select 0 from system_range(1, 2047)" );
				st.execute( "insert into v values (" + x + ")" );
				assertH2Average( h2, st, 2048, new BigDecimal( x ) );
			}
		}
	}

	private static void assertH2Average(DatabaseSemantics h2, Statement st, int n, BigDecimal sum) throws SQLException {
		try ( ResultSet rs = st.executeQuery( "select avg(x), count(x) from v" ) ) {
			rs.next();
			assertThat( h2.average( sum, rs.getLong( 2 ) ) ).as( "avg of %d values summing to %s", n, sum )
					.isEqualTo( rs.getDouble( 1 ) );
		}
	}

	private static BigDecimal randomSum(Random rnd) {
		int scale = rnd.nextInt( 5 );
		long unscaled = switch ( rnd.nextInt( 4 ) ) {
			case 0 -> rnd.nextInt( 100 );                     // tiny sums
			case 1 -> rnd.nextLong() / ( 1L << ( 10 + rnd.nextInt( 40 ) ) );
			case 2 -> ( rnd.nextInt( 1000 ) - 500 ) * (long) Math.pow( 10, rnd.nextInt( 10 ) );
			default -> rnd.nextInt( 10_000_000 );
		};
		return BigDecimal.valueOf( unscaled, scale );
	}

	private static long randomCount(Random rnd) {
		return switch ( rnd.nextInt( 4 ) ) {
			case 0 -> 1 + rnd.nextInt( 10 );
			case 1 -> 1L << rnd.nextInt( 30 );                // powers of two: exact decimal quotients
			case 2 -> 1 + rnd.nextInt( 100_000 );
			default -> 1 + (long) rnd.nextInt( Integer.MAX_VALUE ) * ( 1 + rnd.nextInt( 1000 ) );
		};
	}
}
