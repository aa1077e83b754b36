package io.shardwise.it;

import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.RequiresDatabase;

/**
 * The end-to-end scenarios of {@link AbstractShardwiseEndToEndTest} on MariaDB shards: skipped with a banner when the
 * server is unreachable, failed when {@code CI=true}.
 */
@RequiresDatabase(DatabaseKind.MARIADB)
class MariaDbEndToEndTest extends AbstractShardwiseEndToEndTest {
	MariaDbEndToEndTest() {
		super( DatabaseKind.MARIADB );
	}
}
