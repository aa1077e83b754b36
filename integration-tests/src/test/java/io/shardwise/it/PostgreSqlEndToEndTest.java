package io.shardwise.it;

import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.RequiresDatabase;

/**
 * The end-to-end scenarios of {@link AbstractShardwiseEndToEndTest} on PostgreSQL shards: skipped with a banner when the
 * server is unreachable, failed when {@code CI=true}.
 */
@RequiresDatabase(DatabaseKind.POSTGRESQL)
class PostgreSqlEndToEndTest extends AbstractShardwiseEndToEndTest {
	PostgreSqlEndToEndTest() {
		super( DatabaseKind.POSTGRESQL );
	}
}
