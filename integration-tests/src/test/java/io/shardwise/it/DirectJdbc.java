package io.shardwise.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.DatabaseServer;
import io.shardwise.it.fixtures.DbHandle;

/**
 * What the tests see when they bypass Shardwise and Hibernate: plain JDBC on one database, and the few statements
 * that differ between H2, PostgreSQL and MariaDB.
 */
final class DirectJdbc {
	/** The invoice table as Hibernate maps it, for databases the schema tooling does not reach (a replica). */
	static final String INVOICE_DDL = "create table invoice (id bigint not null primary key, "
			+ "tenant_id varchar(128) not null, label varchar(255), amount_cents bigint not null)";

	private DirectJdbc() {
	}

	/** Rows of {@code invoice} per tenant, for the tenants whose id starts with {@code tenantPrefix}. */
	static Map<String, Long> invoicesByTenant(DbHandle db, String tenantPrefix) throws SQLException {
		Map<String, Long> counts = new TreeMap<>();
		try ( Connection c = db.open();
				PreparedStatement ps = c.prepareStatement(
						"select tenant_id, count(*) from invoice where tenant_id like ? group by tenant_id" ) ) {
			ps.setString( 1, tenantPrefix + "%" );
			try ( ResultSet rs = ps.executeQuery() ) {
				while ( rs.next() ) {
					counts.put( rs.getString( 1 ), rs.getLong( 2 ) );
				}
			}
		}
		return counts;
	}

	/** Rows of {@code invoice} with this label, whatever their tenant. */
	static long invoicesLabelled(DbHandle db, String label) throws SQLException {
		try ( Connection c = db.open();
				PreparedStatement ps = c.prepareStatement( "select count(*) from invoice where label = ?" ) ) {
			ps.setString( 1, label );
			try ( ResultSet rs = ps.executeQuery() ) {
				rs.next();
				return rs.getLong( 1 );
			}
		}
	}

	/** The lower-cased names of the tables in the database's default schema, read from {@code DatabaseMetaData}. */
	static Set<String> tables(DbHandle db) throws SQLException {
		Set<String> names = new TreeSet<>();
		try ( Connection c = db.open();
				ResultSet rs = c.getMetaData().getTables( c.getCatalog(), c.getSchema(), "%", new String[] { "TABLE" } ) ) {
			while ( rs.next() ) {
				names.add( rs.getString( "TABLE_NAME" ).toLowerCase( Locale.ROOT ) );
			}
		}
		return names;
	}

	/** Runs statements on one connection, in order. */
	static void execute(DbHandle db, String... sql) throws SQLException {
		try ( Connection c = db.open(); Statement st = c.createStatement() ) {
			for ( String s : sql ) {
				st.execute( s );
			}
		}
	}

	/** Puts a row into {@code invoice} behind Hibernate's back. */
	static void insertInvoice(DbHandle db, long id, String tenantId, String label) throws SQLException {
		try ( Connection c = db.open();
				PreparedStatement ps = c.prepareStatement(
						"insert into invoice (id, tenant_id, label, amount_cents) values (?, ?, ?, ?)" ) ) {
			ps.setLong( 1, id );
			ps.setString( 2, tenantId );
			ps.setString( 3, label );
			ps.setLong( 4, 1 );
			ps.executeUpdate();
		}
	}

	/**
	 * The statement that switches foreign key checks off for the current session (H2: for the database), as a
	 * restore of a dump does.
	 */
	static String foreignKeyChecksOff(DatabaseKind kind) {
		return switch ( kind ) {
			case H2 -> "set referential_integrity false";
			case POSTGRESQL -> "set session_replication_role = replica";
			case MARIADB -> "set foreign_key_checks = 0";
		};
	}

	/** The statement that undoes {@link #foreignKeyChecksOff}. */
	static String foreignKeyChecksOn(DatabaseKind kind) {
		return switch ( kind ) {
			case H2 -> "set referential_integrity true";
			case POSTGRESQL -> "set session_replication_role = origin";
			case MARIADB -> "set foreign_key_checks = 1";
		};
	}

	/**
	 * Creates a user that logs in with {@code password} and may create tables in {@code db}: an H2 user of that
	 * database, a PostgreSQL role owning it, a MariaDB user with every privilege on it.
	 */
	static void createLoginUser(DatabaseServer server, DbHandle db, String user, String password) throws SQLException {
		switch ( server.kind() ) {
			case H2 -> execute( db, "create user " + user + " password '" + password + "' admin" );
			case POSTGRESQL -> {
				try ( Connection admin = server.openAdmin(); Statement st = admin.createStatement() ) {
					st.execute( "create role " + user + " login password '" + password + "'" );
					st.execute( "alter database " + db.name() + " owner to " + user );
				}
			}
			case MARIADB -> {
				try ( Connection admin = server.openAdmin(); Statement st = admin.createStatement() ) {
					for ( String host : new String[] { "localhost", "127.0.0.1", "%" } ) {
						st.execute( "create user '" + user + "'@'" + host + "' identified by '" + password + "'" );
						st.execute( "grant all on `" + db.name() + "`.* to '" + user + "'@'" + host + "'" );
					}
				}
			}
		}
	}

	/**
	 * Drops a user made by {@link #createLoginUser}, once its database is gone (H2 users go with their database).
	 */
	static void dropLoginUser(DatabaseServer server, String user) throws SQLException {
		switch ( server.kind() ) {
			case H2 -> {
			}
			case POSTGRESQL -> {
				try ( Connection admin = server.openAdmin(); Statement st = admin.createStatement() ) {
					st.execute( "drop role if exists " + user );
				}
			}
			case MARIADB -> {
				try ( Connection admin = server.openAdmin(); Statement st = admin.createStatement() ) {
					st.execute( "drop user if exists '" + user + "'@'localhost', '" + user + "'@'127.0.0.1', '" + user + "'@'%'" );
				}
			}
		}
	}

	/**
	 * A JDBC URL of {@code database} on a port where nothing listens, carrying user and password as URL parameters
	 * (the way people paste them).
	 */
	static String unreachableUrl(DatabaseKind kind, String database, String user, String password) {
		return switch ( kind ) {
			case H2 -> "jdbc:h2:tcp://127.0.0.1:1/mem:" + database + ";USER=" + user + ";PASSWORD=" + password;
			case POSTGRESQL -> "jdbc:postgresql://127.0.0.1:1/" + database + "?user=" + user + "&password=" + password
					+ "&connectTimeout=2";
			case MARIADB -> "jdbc:mariadb://127.0.0.1:1/" + database + "?user=" + user + "&password=" + password
					+ "&connectTimeout=2000";
		};
	}
}
