package io.shardwise.benchmarks.query;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

import jakarta.persistence.EntityManagerFactory;

import org.hibernate.jpa.HibernatePersistenceConfiguration;

import io.shardwise.ShardwiseSettings;
import io.shardwise.query.CrossShardQueries;
import io.shardwise.Shardwise;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

/**
 * H2 shards for the cross-shard query benchmarks: the {@code bench_item} table filled fast with
 * {@code INSERT ... SELECT ... FROM SYSTEM_RANGE} ({@code rowsPerShard} rows, 100 tenants per shard, amounts with many
 * ties, indexes on {@code (amount, id)} and {@code category}), and a Shardwise persistence unit over them. File databases keep their
 * data between runs (filled only when missing or of another size).
 */
final class BenchShards implements AutoCloseable {
	static final int TENANTS_PER_SHARD = 100;

	final EntityManagerFactory emf;
	final CrossShardQueries queries;

	private BenchShards(EntityManagerFactory emf) {
		this.emf = emf;
		this.queries = Shardwise.of( emf ).crossShard();
	}

	/**
	 * @param urls the JDBC URL of each shard's database (for loading)
	 * @param routedUrls the JDBC URL Shardwise uses for each shard (for example through {@link LatencyDriver})
	 * @param shards which shards of {@code urls} the persistence unit routes to
	 */
	static BenchShards open(IntFunction<String> urls, IntFunction<String> routedUrls, int[] shards, long rowsPerShard,
			Map<String, Object> settings) throws SQLException {
		InMemoryTopologyStore store = new InMemoryTopologyStore();
		for ( int s : shards ) {
			fill( urls.apply( s ), s, rowsPerShard );
			store.addShard( Shard.builder( "s" + s ).write( routedUrls.apply( s ) ).credentials( "sa", "" ).build() );
			for ( int t = 0; t < TENANTS_PER_SHARD; t++ ) {
				store.placeIfAbsent( TenantPlacement.of( tenant( s, t ), "s" + s, TenantTier.SMALL ) );
			}
		}
		Map<String, Object> props = new HashMap<>();
		props.put( ShardwiseSettings.TOPOLOGY_STORE, store );
		props.put( ShardwiseSettings.METER_REGISTRY, "none" );
		props.put( ShardwiseSettings.POOL_MAXIMUM_SIZE, "4" );
		props.put( ShardwiseSettings.POOL_MINIMUM_IDLE, "1" );
		props.put( "jakarta.persistence.schema-generation.database.action", "none" );
		props.putAll( settings );
		HibernatePersistenceConfiguration config = new HibernatePersistenceConfiguration( "bench-query" ).managedClass( BenchItem.class );
		props.forEach( config::property );
		return new BenchShards( config.createEntityManagerFactory() );
	}

	static String tenant(int shard, int i) {
		return "bt-" + shard + "-" + i;
	}

	/** Creates and fills shard {@code s}'s table unless it already holds {@code rows} rows. */
	static void fill(String url, int s, long rows) throws SQLException {
		try ( Connection c = DriverManager.getConnection( url, "sa", "" ); Statement st = c.createStatement() ) {
			st.execute( "create table if not exists bench_item (id bigint primary key, tenant_id varchar(64) not null, "
					+ "category int, amount numeric(12,2))" );
			try ( ResultSet rs = st.executeQuery( "select count(*) from bench_item" ) ) {
				rs.next();
				if ( rs.getLong( 1 ) == rows ) {
					return;
				}
			}
			st.execute( "truncate table bench_item" );
			// ids unique across shards; amounts 0.00 .. 99999.99 scattered (many ties); category 0 .. 9
			st.execute( "insert into bench_item (id, tenant_id, category, amount) select x * 16 + " + s + ", "
					+ "'bt-" + s + "-' || mod(x, " + TENANTS_PER_SHARD + "), mod(x, 10), "
					+ "cast(mod(x * 7919 + " + ( s * 104729 ) + ", 10000000) as numeric(12,2)) / 100 "
					+ "from system_range(1, " + rows + ")" );
			st.execute( "create index if not exists bench_item_amount on bench_item (amount, id)" );
			st.execute( "create index if not exists bench_item_category on bench_item (category)" );
			st.execute( "analyze" );
		}
	}

	@Override
	public void close() {
		emf.close();
	}
}
