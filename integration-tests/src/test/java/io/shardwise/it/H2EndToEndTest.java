package io.shardwise.it;

import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.RequiresDatabase;

/**
 * The end-to-end scenarios of {@link AbstractShardwiseEndToEndTest} on H2 shards (embedded, in memory).
 */
@RequiresDatabase(DatabaseKind.H2)
class H2EndToEndTest extends AbstractShardwiseEndToEndTest {
	H2EndToEndTest() {
		super( DatabaseKind.H2 );
	}
}
