package io.shardwise.it;

import java.sql.SQLException;
import java.util.Map;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.shardwise.Shardwise;
import io.shardwise.ShardwiseSettings;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.DbHandle;
import io.shardwise.it.fixtures.ShardDatabases;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression: the schema action {@code update} (at boot, and {@code Shardwise.deploySchema} later) looked for the
 * existing tables of every shard in the database of the default shard, whose JDBC environment Hibernate had read at
 * boot. On MariaDB, where one server holds the databases of several shards, it found them there and created nothing
 * on the other shards. Kinds whose server is unavailable are skipped (failed with {@code CI=true}).
 */
class SchemaUpdateLookedInTheDefaultShardsDatabaseTest {

	@ParameterizedTest
	@EnumSource(DatabaseKind.class)
	void updateCreatesTheTablesInEachShardsOwnDatabase(DatabaseKind kind) throws SQLException {
		try ( ShardDatabases databases = ShardDatabases.create( kind, "sw_upd", 3 ) ) {
			InMemoryTopologyStore store = new InMemoryTopologyStore();
			store.addShard( shard( "a", databases.get( 0 ) ).build() );
			store.addShard( shard( "b", databases.get( 1 ) ).build() );
			EntityManagerFactory emf = Persistence.createEntityManagerFactory( "it-schema-update",
					Map.of( ShardwiseSettings.TOPOLOGY_STORE, store ) );
			try {
				assertThat( Shardwise.of( emf ).defaultShard() ).isEqualTo( "a" );
				assertThat( DirectJdbc.tables( databases.get( 0 ) ) ).as( "default shard" ).contains( "invoice" );
				assertThat( DirectJdbc.tables( databases.get( 1 ) ) ).as( "the other shard, at boot" ).contains( "invoice" );

				store.addShard( shard( "c", databases.get( 2 ) ).status( ShardStatus.DRAINING ).build() );
				assertThat( DirectJdbc.tables( databases.get( 2 ) ) ).doesNotContain( "invoice" );
				Shardwise.of( emf ).deploySchema( "c" );
				assertThat( DirectJdbc.tables( databases.get( 2 ) ) ).as( "a shard added later" ).contains( "invoice" );
				Shardwise.of( emf ).applySchema( "c", "validate" );
			}
			finally {
				emf.close();
			}
		}
	}

	private static Shard.Builder shard(String name, DbHandle db) {
		return Shard.builder( name ).write( db.url() ).credentials( db.user(), db.password() );
	}
}
