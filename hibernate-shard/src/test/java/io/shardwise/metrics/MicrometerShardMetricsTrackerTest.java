package io.shardwise.metrics;

import java.sql.Connection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.shardwise.topology.ShardRole;

import static org.assertj.core.api.Assertions.assertThat;

/** HikariCP's pool meters through the tracker: kept apart per persistence unit, and handed over when a pool is replaced. */
class MicrometerShardMetricsTrackerTest {
	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private static HikariDataSource pool(MicrometerShardMetricsTracker tracker, String db, int max) {
		HikariConfig config = new HikariConfig();
		config.setPoolName( "shardwise-eu-1-write" );
		config.setJdbcUrl( "jdbc:h2:mem:" + db + ";DB_CLOSE_DELAY=-1" );
		config.setMaximumPoolSize( max );
		config.setMinimumIdle( 0 );
		tracker.configurePool( "eu-1", ShardRole.WRITE, config );
		return new HikariDataSource( config );
	}

	private Double maxConnections(String unit) {
		Gauge g = registry.find( "hikaricp.connections.max" ).tag( "pool", "shardwise-eu-1-write" ).tag( "unit", unit ).gauge();
		return g == null ? null : g.value();
	}

	@Test
	void twoUnitsOverTheSameShardsEachGetTheirOwnPoolMeters() {
		MicrometerShardMetricsTracker orders = MicrometerShardMetricsTracker.forUnit( registry, "orders" );
		MicrometerShardMetricsTracker reports = MicrometerShardMetricsTracker.forUnit( registry, "reports" );
		try ( HikariDataSource a = pool( orders, "meters-units-a", 7 ); HikariDataSource b = pool( reports, "meters-units-b", 3 ) ) {
			assertThat( maxConnections( "orders" ) ).isEqualTo( 7.0 );
			assertThat( maxConnections( "reports" ) ).isEqualTo( 3.0 );
		}
		assertThat( registry.find( "hikaricp.connections.max" ).gauges() ).as( "removed with their pools" ).isEmpty();
	}

	@Test
	void aPoolReplacedByOneOfTheSameNameHandsItsMetersOverAndItsLateCloseKeepsTheNewOnes() throws Exception {
		MicrometerShardMetricsTracker tracker = MicrometerShardMetricsTracker.forUnit( registry, "orders" );
		HikariDataSource old = pool( tracker, "meters-swap-old", 5 );
		try ( Connection inFlight = old.getConnection() ) {
			assertThat( maxConnections( "orders" ) ).isEqualTo( 5.0 );
			try ( HikariDataSource fresh = pool( tracker, "meters-swap-new", 9 ) ) {
				assertThat( maxConnections( "orders" ) ).as( "the new pool's meters, while the old one retires" ).isEqualTo( 9.0 );
				inFlight.close();
				old.close();
				assertThat( maxConnections( "orders" ) ).as( "after the old pool closed" ).isEqualTo( 9.0 );
				assertThat( registry.find( "hikaricp.connections.max" ).gauges() ).as( "one pool of that name is measured" ).hasSize( 1 );
				try ( Connection c = fresh.getConnection() ) {
					assertThat( c.isValid( 1 ) ).isTrue();
				}
			}
		}
		assertThat( registry.find( "hikaricp.connections.max" ).gauges() ).isEmpty();
	}
}
