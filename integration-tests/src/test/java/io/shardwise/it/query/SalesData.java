package io.shardwise.it.query;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded random data set of {@link Sale} rows for the oracle tests: skewed tenants (a few with thousands of rows,
 * many with a handful), NULLs in every nullable column, many ties, strings whose order depends on the collation
 * (upper/lower case, accents, characters beyond the BMP next to U+FFFD), and the traces of tenant moves: some tenants'
 * rows also sit on a shard that is not theirs (copied ahead by a running move, or left behind by a finished one), and
 * rows of a tenant without any placement. The single database (the oracle) holds every row exactly once.
 */
final class SalesData {
	static final String[] REGIONS = { "north", "south", "east", "west", "Central" };
	static final String[] PRODUCTS = { "apple", "Apple", "apricot", "Äpfel", "banana", "Banana split", "zucchini",
			"éclair", "eclair", "Eclair", "Ωmega", "日本茶", "\uD835\uDC9C fancy", "\uD83D\uDE00 smile", "\uFFFD replacement",
			"a", "A", "aa", "a b", "a-b", "ab", "", "Zebra", "zebra", "Ångström", "angstrom", "ñandú", "nandu", "ß", "ss",
			"İstanbul", "istanbul", "中文", "한국어", "~tilde", "_underscore", "0zero", "9nine", "Ｆullwidth", "\u00A0nbsp" };
	static final Channel[] CHANNELS = Channel.values();
	static final String GHOST_TENANT = "ghost-tenant";

	/** One row: id, tenant, region, product, quantity, amount, points, sold_on, priority, channel. */
	record Row(long id, String tenant, String region, String product, Integer quantity, BigDecimal amount, Long points,
			LocalDate soldOn, Boolean priority, Channel channel) {
	}

	final List<String> tenants = new ArrayList<>();
	/** The shard index each tenant is placed on. */
	final Map<String, Integer> placement = new HashMap<>();
	/** Every row once: what the single database holds. */
	final List<Row> rows = new ArrayList<>();
	/** Rows on each shard that must not be counted: move copies, leftovers, a tenant without placement. */
	final Map<Integer, List<Row>> strays = new HashMap<>();
	/** Tenants with a copy of their rows on a second shard. */
	final List<String> duplicated = new ArrayList<>();

	static SalesData generate(long seed, int tenantCount, int targetRows, int shards) {
		SalesData d = new SalesData();
		Random rnd = new Random( seed );
		double[] weights = new double[tenantCount];
		double total = 0;
		for ( int i = 0; i < tenantCount; i++ ) {
			weights[i] = 1.0 / Math.pow( i + 1, 0.9 );
			total += weights[i];
		}
		long id = 1;
		LocalDate start = LocalDate.of( 2024, 1, 1 );
		for ( int i = 0; i < tenantCount; i++ ) {
			String tenant = String.format( "tenant-%03d", i );
			d.tenants.add( tenant );
			d.placement.put( tenant, rnd.nextInt( shards ) );
			int count = Math.max( 1, (int) Math.round( targetRows * weights[i] / total ) );
			for ( int r = 0; r < count; r++ ) {
				d.rows.add( randomRow( rnd, id++, tenant, start ) );
			}
		}
		// tenants in the middle of a move (rows copied to the target) or after one (rows left on the source)
		for ( int k = 0; k < 5; k++ ) {
			String tenant = d.tenants.get( k * 7 + 1 );
			d.duplicated.add( tenant );
			int home = d.placement.get( tenant );
			int other = ( home + 1 + rnd.nextInt( shards - 1 ) ) % shards;
			d.rows.stream().filter( r -> r.tenant().equals( tenant ) )
					.forEach( r -> d.strays.computeIfAbsent( other, s -> new ArrayList<>() ).add( r ) );
		}
		for ( int r = 0; r < 50; r++ ) {
			d.strays.computeIfAbsent( 0, s -> new ArrayList<>() ).add( randomRow( rnd, id++, GHOST_TENANT, start ) );
		}
		return d;
	}

	private static Row randomRow(Random rnd, long id, String tenant, LocalDate start) {
		return new Row( id, tenant,
				rnd.nextInt( 100 ) < 8 ? null : REGIONS[rnd.nextInt( REGIONS.length )],
				rnd.nextInt( 100 ) < 5 ? null : PRODUCTS[rnd.nextInt( PRODUCTS.length )],
				rnd.nextInt( 100 ) < 7 ? null : rnd.nextInt( 21 ),
				rnd.nextInt( 100 ) < 10 ? null : BigDecimal.valueOf( rnd.nextInt( 100_000 ), 2 ),
				rnd.nextInt( 100 ) < 10 ? null : (long) ( rnd.nextInt( 2_000_001 ) - 1_000_000 ) * 1000L,
				rnd.nextInt( 100 ) < 5 ? null : start.plusDays( rnd.nextInt( 366 ) ),
				rnd.nextInt( 100 ) < 10 ? null : rnd.nextBoolean(),
				rnd.nextInt( 100 ) < 5 ? null : CHANNELS[rnd.nextInt( CHANNELS.length )] );
	}

	/** The rows whose tenant is placed on shard {@code shard}. */
	List<Row> rowsOf(int shard) {
		return rows.stream().filter( r -> placement.get( r.tenant() ) == shard ).toList();
	}

	/** Inserts rows in JDBC batches of 1000 in one transaction. */
	static void insert(Connection c, List<Row> rows) throws SQLException {
		boolean auto = c.getAutoCommit();
		c.setAutoCommit( false );
		try ( PreparedStatement ps = c.prepareStatement( "insert into sale (id, tenant_id, region, product, quantity, amount, "
				+ "points, sold_on, priority, channel) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" ) ) {
			int n = 0;
			for ( Row r : rows ) {
				ps.setLong( 1, r.id() );
				ps.setString( 2, r.tenant() );
				ps.setString( 3, r.region() );
				ps.setString( 4, r.product() );
				setOrNull( ps, 5, r.quantity(), Types.INTEGER );
				ps.setBigDecimal( 6, r.amount() );
				setOrNull( ps, 7, r.points(), Types.BIGINT );
				if ( r.soldOn() == null ) {
					ps.setNull( 8, Types.DATE );
				}
				else {
					ps.setDate( 8, Date.valueOf( r.soldOn() ) );
				}
				setOrNull( ps, 9, r.priority(), Types.BOOLEAN );
				ps.setString( 10, r.channel() == null ? null : r.channel().name() );
				ps.addBatch();
				if ( ++n % 1000 == 0 ) {
					ps.executeBatch();
				}
			}
			ps.executeBatch();
			c.commit();
		}
		finally {
			c.setAutoCommit( auto );
		}
	}

	private static void setOrNull(PreparedStatement ps, int i, Object v, int type) throws SQLException {
		if ( v == null ) {
			ps.setNull( i, type );
		}
		else {
			ps.setObject( i, v, type );
		}
	}
}
