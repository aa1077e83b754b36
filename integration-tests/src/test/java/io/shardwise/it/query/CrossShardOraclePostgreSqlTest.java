package io.shardwise.it.query;

import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.RequiresDatabase;

/** The oracle suite on 4 PostgreSQL shards against one PostgreSQL database (NULLs sort last, code-point collation). */
@RequiresDatabase(DatabaseKind.POSTGRESQL)
class CrossShardOraclePostgreSqlTest extends AbstractCrossShardOracleTest {
	@Override
	DatabaseKind kind() {
		return DatabaseKind.POSTGRESQL;
	}
}
