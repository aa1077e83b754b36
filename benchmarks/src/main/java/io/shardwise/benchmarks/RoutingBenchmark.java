package io.shardwise.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.shardwise.internal.ShardwiseConfig;
import io.shardwise.internal.ShardwiseRuntime;
import io.shardwise.internal.placement.PlacementStrategies;
import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantTier;

/**
 * The routing hot path: a pooled connection for a tenant through Shardwise (cache lookup, shard state read, HikariCP
 * borrow) against a plain HikariCP borrow from one pool, the cost every JPA transaction pays either way.
 */
@State(Scope.Benchmark)
@BenchmarkMode({ Mode.SampleTime })
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoutingBenchmark {
	@Param({ "16" })
	int shards;

	@Param({ "100000" })
	int tenants;

	private ShardwiseRuntime runtime;
	private HikariDataSource plain;
	private String[] tenantIds;

	@Setup(Level.Trial)
	public void setUp() {
		InMemoryTopologyStore store = new InMemoryTopologyStore();
		for ( int s = 0; s < shards; s++ ) {
			store.addShard( Shard.builder( "s" + s ).write( "jdbc:h2:mem:bench-routing-" + s + ";DB_CLOSE_DELAY=-1" ).build() );
		}
		ShardwiseConfig config = ShardwiseConfig.from( Map.of( "shardwise.pool.maximum-size", "4", "shardwise.pool.minimum-idle", "4",
				"shardwise.cache.ttl", "1h" ) );
		runtime = new ShardwiseRuntime( config, store, true, PlacementStrategies.create( "consistent-hash", 2048 ),
				ShardMetricsTracker.NOOP, System::nanoTime );
		tenantIds = new String[tenants];
		for ( int i = 0; i < tenants; i++ ) {
			tenantIds[i] = "tenant-" + i;
			runtime.provision( tenantIds[i], TenantTier.SMALL );
		}
		HikariConfig hc = new HikariConfig();
		hc.setJdbcUrl( "jdbc:h2:mem:bench-routing-plain;DB_CLOSE_DELAY=-1" );
		hc.setMaximumPoolSize( 4 );
		hc.setMinimumIdle( 4 );
		plain = new HikariDataSource( hc );
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		runtime.close();
		plain.close();
	}

	@Benchmark
	public Object shardwiseRoutedConnection() throws SQLException {
		String tenant = tenantIds[ThreadLocalRandom.current().nextInt( tenantIds.length )];
		try ( Connection c = runtime.connection( tenant ) ) {
			return c;
		}
	}

	@Benchmark
	public Object plainHikariConnection() throws SQLException {
		ThreadLocalRandom.current().nextInt( tenantIds.length );
		try ( Connection c = plain.getConnection() ) {
			return c;
		}
	}

	@Benchmark
	public long routeLookupOnly() {
		String tenant = tenantIds[ThreadLocalRandom.current().nextInt( tenantIds.length )];
		return runtime.cache().get( tenant );
	}
}
