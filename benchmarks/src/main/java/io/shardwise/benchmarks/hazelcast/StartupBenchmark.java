package io.shardwise.benchmarks.hazelcast;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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

import io.shardwise.hazelcast.HazelcastTopologyStore;

/**
 * Start-up of a member (the first of its cluster) with N placements in the catalog: {@code HazelcastTopologyStore.create}
 * until it returns, i.e. the embedded member is up and the eager initial load has put every shard and placement into
 * the maps. The catalog is an H2 file database (seeded once per trial with batched inserts, not measured).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = { "-Xmx3g", "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=none" })
public class StartupBenchmark {
	@Param({ "1000000" })
	int placements;

	private Path dir;
	private Map<String, Object> settings;
	private HazelcastTopologyStore store;

	@Setup(Level.Trial)
	public void seed() throws Exception {
		dir = Files.createTempDirectory( "shardwise-startup" );
		String url = "jdbc:h2:file:" + dir.resolve( "catalog" ) + ";DB_CLOSE_DELAY=-1";
		settings = BenchCluster.settings( "bench-startup", 5911, 5, url );
		BenchCluster.seedCatalog( settings, placements );
	}

	@Benchmark
	public HazelcastTopologyStore startMember() {
		store = HazelcastTopologyStore.create( settings );
		return store;
	}

	@TearDown(Level.Invocation)
	public void stopMember() {
		if ( store != null ) {
			int loaded = store.hazelcastInstance().getMap( "shardwise.placements" ).size();
			store.close();
			store = null;
			if ( loaded != placements ) {
				throw new IllegalStateException( "loaded " + loaded + " of " + placements + " placements" );
			}
		}
	}

	@TearDown(Level.Trial)
	public void deleteCatalog() throws Exception {
		try ( Connection c = DriverManager.getConnection( "jdbc:h2:file:" + dir.resolve( "catalog" ), "sa", "" ) ) {
			c.createStatement().execute( "shutdown" );
		}
		try ( var files = Files.walk( dir ) ) {
			files.sorted( java.util.Comparator.reverseOrder() ).forEach( p -> p.toFile().delete() );
		}
	}
}
