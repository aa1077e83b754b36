package io.shardwise.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The JDBC catalog store on the local MariaDB (127.0.0.1:3306, user root, empty password), in a database created for
 * this class and dropped afterwards. Skipped loudly when the server is not there (failed when {@code CI=true}).
 */
class JdbcCatalogTopologyStoreMariaDbTest extends AbstractJdbcCatalogTopologyStoreTest {
	private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";
	private static final String USER = "root";
	private static final String WHAT = "MariaDB at 127.0.0.1:3306 (user " + USER + ")";
	private static String database;
	private static SQLException unreachable;

	@BeforeAll
	static void createDatabase() {
		String name = ExternalDatabases.uniqueName();
		try ( Connection c = DriverManager.getConnection( SERVER + "?connectTimeout=5000", USER, "" );
				Statement s = c.createStatement() ) {
			s.execute( "create database " + name + " character set utf8mb4" );
			database = name;
		}
		catch (SQLException e) {
			unreachable = e;
			ExternalDatabases.announce( WHAT, e );
		}
	}

	@AfterAll
	static void dropDatabase() throws SQLException {
		if ( database == null ) {
			return;
		}
		try ( Connection c = DriverManager.getConnection( SERVER + "?connectTimeout=5000", USER, "" );
				Statement s = c.createStatement() ) {
			s.execute( "drop database if exists " + database );
		}
		database = null;
	}

	@Override
	protected void requireDatabase() {
		if ( unreachable != null ) {
			ExternalDatabases.unavailable( WHAT, unreachable );
		}
	}

	@Override
	protected String url() {
		return SERVER + database;
	}

	@Override
	protected String user() {
		return USER;
	}

	@Override
	protected String passwordSetting() {
		return "";
	}

	@Override
	protected String password() {
		return "";
	}
}
