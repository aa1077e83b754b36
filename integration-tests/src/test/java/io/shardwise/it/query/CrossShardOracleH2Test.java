package io.shardwise.it.query;

import io.shardwise.it.fixtures.DatabaseKind;

/** The oracle suite on 4 H2 shards against one H2 database (NULLs sort first, UTF-16 string order). */
class CrossShardOracleH2Test extends AbstractCrossShardOracleTest {
	@Override
	DatabaseKind kind() {
		return DatabaseKind.H2;
	}
}
