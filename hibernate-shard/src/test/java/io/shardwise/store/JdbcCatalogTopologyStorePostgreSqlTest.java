package io.shardwise.store;

import java.sql.SQLException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The JDBC catalog store on the local PostgreSQL (127.0.0.1:5432, user postgres, trust authentication), in a
 * database created for this class and dropped afterwards. Skipped loudly when the server is not there (failed when
 * {@code CI=true}).
 */
class JdbcCatalogTopologyStorePostgreSqlTest extends AbstractJdbcCatalogTopologyStoreTest {
	private static final ExternalDatabases.ServerDatabase DATABASE = ExternalDatabases.ServerDatabase.postgresql();

	@BeforeAll
	static void createDatabase() {
		DATABASE.create();
	}

	@AfterAll
	static void dropDatabase() throws SQLException {
		DATABASE.drop();
	}

	@Override
	protected void requireDatabase() {
		DATABASE.require();
	}

	@Override
	protected String url() {
		return DATABASE.url();
	}

	@Override
	protected String user() {
		return DATABASE.user();
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
