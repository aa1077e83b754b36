package io.shardwise.demo;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.shardwise.ShardwiseSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the demo's scenario (README's first command) on its own Hazelcast cluster and checks its table: every tenant
 * placed, every row on a shard, every shard used, the moved tenant's row on its new shard.
 */
class DemoAppTest {

	@Test
	void demoPlacesWritesMovesAndCountsPerShard() throws Exception {
		Map<String, Object> ownCluster = Map.of(
				ShardwiseSettings.HAZELCAST_CLUSTER_NAME, "shardwise-demo-test-" + UUID.randomUUID(),
				ShardwiseSettings.HAZELCAST_PORT, "5911-5920",
				ShardwiseSettings.HAZELCAST_MEMBERS, "127.0.0.1:5911-5920" );
		Map<String, long[]> perShard = DemoApp.runTwoInstances( ownCluster, 120 );
		assertThat( perShard ).containsOnlyKeys( "shard-a", "shard-b", "shard-c", "shard-d" );
		assertThat( perShard.values().stream().mapToLong( v -> v[0] ).sum() ).as( "tenants placed" ).isEqualTo( 121 );
		long expectedRows = 1;
		for ( int i = 0; i < 120; i++ ) {
			expectedRows += 1 + i % 7;
		}
		assertThat( perShard.values().stream().mapToLong( v -> v[1] ).sum() ).as( "rows on shards" ).isEqualTo( expectedRows );
		perShard.forEach( (shard, v) -> {
			assertThat( v[0] ).as( "tenants on %s", shard ).isPositive();
			assertThat( v[2] ).as( "tenants with rows on %s equal tenants placed there", shard ).isEqualTo( v[0] );
		} );
	}
}
