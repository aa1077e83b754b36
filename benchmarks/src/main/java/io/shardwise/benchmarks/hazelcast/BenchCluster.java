package io.shardwise.benchmarks.hazelcast;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.shardwise.ShardwiseSettings;
import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.topology.Shard;

/** Settings of benchmark members: loopback, TCP-IP join on a fixed port range, a catalog URL. */
final class BenchCluster {
	private BenchCluster() {
	}

	static Map<String, Object> settings(String clusterName, int basePort, int ports, String catalogUrl) {
		Map<String, Object> s = new HashMap<>();
		s.put( ShardwiseSettings.CATALOG_URL, catalogUrl );
		s.put( ShardwiseSettings.CATALOG_USER, "sa" );
		s.put( ShardwiseSettings.CATALOG_POOL_SIZE, "4" );
		s.put( ShardwiseSettings.HAZELCAST_CLUSTER_NAME, clusterName );
		s.put( ShardwiseSettings.HAZELCAST_PORT, basePort + "-" + ( basePort + ports - 1 ) );
		s.put( ShardwiseSettings.HAZELCAST_MEMBERS, "127.0.0.1:" + basePort + "-" + ( basePort + ports - 1 ) );
		s.put( ShardwiseSettings.HAZELCAST_INTERFACE, "127.0.0.1" );
		return s;
	}

	/**
	 * Fills the catalog of {@code settings} (an H2 database, user sa) with 64 shards {@code s0..s63} and
	 * {@code placements} tenants {@code tenant-N} spread over them, inserted in committed batches (not through the store:
	 * seeding is not what is measured).
	 */
	static void seedCatalog(Map<String, Object> settings, int placements) throws SQLException {
		try ( JdbcCatalogTopologyStore catalog = JdbcCatalogTopologyStore.create( settings ) ) {
			for ( int s = 0; s < 64; s++ ) {
				catalog.addShard( Shard.builder( "s" + s ).write( "jdbc:h2:mem:s" + s ).build() );
			}
		}
		try ( Connection c = DriverManager.getConnection( (String) settings.get( ShardwiseSettings.CATALOG_URL ), "sa", "" ) ) {
			c.setAutoCommit( false );
			try ( PreparedStatement ps = c.prepareStatement( "insert into shardwise_tenant (tenant_id, shard_name, tier, "
					+ "status, version, updated_at) values (?, ?, 'SMALL', 'ACTIVE', 1, ?)" ) ) {
				Timestamp now = Timestamp.from( Instant.now() );
				for ( int i = 0; i < placements; i++ ) {
					ps.setString( 1, "tenant-" + i );
					ps.setString( 2, "s" + ( i % 64 ) );
					ps.setTimestamp( 3, now );
					ps.addBatch();
					if ( i % 10_000 == 9_999 ) {
						ps.executeBatch();
						c.commit();
					}
				}
				ps.executeBatch();
				c.commit();
			}
		}
	}
}
