package io.shardwise.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Support for tests against the local PostgreSQL and MariaDB servers: unique database names, and a loud skip when a
 * server is not there (a failure when the environment variable {@code CI} is {@code true}).
 */
final class ExternalDatabases {
	private ExternalDatabases() {
	}

	/** A fresh database name such as {@code sw_store_3f2a9c01d4e5}. */
	static String uniqueName() {
		return "sw_store_" + UUID.randomUUID().toString().replace( "-", "" ).substring( 0, 12 ).toLowerCase( Locale.ROOT );
	}

	/** Tells loudly, once per test class, that {@code what} cannot be reached. */
	static void announce(String what, Exception cause) {
		System.err.println( message( what, cause ) );
	}

	/** Skips the calling test (fails it when the environment variable CI is true): {@code what} cannot be reached. */
	static void unavailable(String what, Exception cause) {
		String message = message( what, cause );
		if ( "true".equalsIgnoreCase( System.getenv( "CI" ) ) ) {
			fail( message, cause );
		}
		Assumptions.abort( message );
	}

	private static String message(String what, Exception cause) {
		return "*** " + what + " is not reachable (" + cause.getMessage() + "): SKIPPING these tests. "
				+ "Start the server to run them; with CI=true this is a failure. ***";
	}

	/**
	 * A database of one test class on a local server (no password): created before the class, dropped after it;
	 * {@link #require()} skips (or, under CI, fails) each test when the server could not be reached.
	 */
	static final class ServerDatabase {
		private final String what;
		private final String server;
		private final String admin;
		private final String user;
		private final String createOptions;
		private final String dropOptions;
		private String database;
		private SQLException unreachable;

		private ServerDatabase(String what, String server, String admin, String user, String createOptions, String dropOptions) {
			this.what = what;
			this.server = server;
			this.admin = admin;
			this.user = user;
			this.createOptions = createOptions;
			this.dropOptions = dropOptions;
		}

		/** PostgreSQL at 127.0.0.1:5432, user postgres, trust authentication. */
		static ServerDatabase postgresql() {
			return new ServerDatabase( "PostgreSQL at 127.0.0.1:5432 (user postgres)", "jdbc:postgresql://127.0.0.1:5432/",
					"postgres?connectTimeout=5", "postgres", "", " with (force)" );
		}

		/** MariaDB at 127.0.0.1:3306, user root, empty password. */
		static ServerDatabase mariadb() {
			return new ServerDatabase( "MariaDB at 127.0.0.1:3306 (user root)", "jdbc:mariadb://127.0.0.1:3306/",
					"?connectTimeout=5000", "root", " character set utf8mb4", "" );
		}

		/** Creates the database, or announces loudly that the server is not there. */
		void create() {
			String name = uniqueName();
			try ( Connection c = DriverManager.getConnection( server + admin, user, "" ); Statement s = c.createStatement() ) {
				s.execute( "create database " + name + createOptions );
				database = name;
			}
			catch (SQLException e) {
				unreachable = e;
				announce( what, e );
			}
		}

		void drop() throws SQLException {
			if ( database == null ) {
				return;
			}
			try ( Connection c = DriverManager.getConnection( server + admin, user, "" ); Statement s = c.createStatement() ) {
				s.execute( "drop database if exists " + database + dropOptions );
			}
			database = null;
		}

		void require() {
			if ( unreachable != null ) {
				unavailable( what, unreachable );
			}
		}

		String url() {
			return server + database;
		}

		String user() {
			return user;
		}
	}
}
