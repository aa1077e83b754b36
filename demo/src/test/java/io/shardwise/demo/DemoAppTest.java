package io.shardwise.demo;

import java.util.Map;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the demo's scenario (README's first command) and checks its table: every tenant placed, every row on a shard,
 * every shard used.
 */
class DemoAppTest {

	@Test
	void demoPlacesWritesAndCountsPerShard() throws Exception {
		EntityManagerFactory emf = Persistence.createEntityManagerFactory( "demo" );
		try {
			Map<String, long[]> perShard = DemoApp.run( emf, 120 );
			assertThat( perShard ).containsOnlyKeys( "shard-a", "shard-b", "shard-c", "shard-d" );
			assertThat( perShard.values().stream().mapToLong( v -> v[0] ).sum() ).as( "tenants placed" ).isEqualTo( 120 );
			long expectedRows = 0;
			for ( int i = 0; i < 120; i++ ) {
				expectedRows += 1 + i % 7;
			}
			assertThat( perShard.values().stream().mapToLong( v -> v[1] ).sum() ).as( "rows on shards" ).isEqualTo( expectedRows );
			perShard.forEach( (shard, v) -> {
				assertThat( v[0] ).as( "tenants on %s", shard ).isPositive();
				assertThat( v[2] ).as( "tenants with rows on %s equal tenants placed there", shard ).isEqualTo( v[0] );
			} );
		}
		finally {
			emf.close();
		}
	}
}
