package io.shardwise.benchmarks.query;

import java.sql.SQLException;
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

import io.shardwise.query.CrossShardQuery;
import io.shardwise.query.QueryResult;

/**
 * Fan-out latency: the same query on 8 H2 shards in parallel ({@code fanOut8Shards}), one shard after the other
 * through the same engine ({@code sequential8Shards}, the naive loop), and on the slowest shard alone
 * ({@code slowestShardAlone}, a persistence unit with only that shard). Target: fan-out at most 1.3 x the slowest
 * shard.
 * <p>
 * {@code latency=true}: every shard query takes an extra 5, 6, 7, 8, 9, 10, 11 or 20 ms ({@link LatencyDriver}),
 * standing for the network round trip and remote database time real shards have; {@code latency=false}: plain
 * in-memory H2, where the 8 shard queries compete for this machine's CPU cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class FanOutLatencyBenchmark {
	static final int[] LATENCY_MS = { 5, 6, 7, 8, 9, 10, 11, 20 };
	static final int SLOWEST = 7;

	@Param({ "true", "false" })
	boolean latency;

	@Param({ "aggregate", "top100" })
	String query;

	@Param({ "2000" })
	long rowsPerShard;

	private BenchShards all;
	private BenchShards slowest;

	@Setup(Level.Trial)
	public void setUp() throws SQLException {
		LatencyDriver.register();
		String run = Long.toHexString( System.nanoTime() );
		java.util.function.IntFunction<String> urls = s -> "jdbc:h2:mem:bench-fanout-" + run + "-" + s + ";DB_CLOSE_DELAY=-1";
		java.util.function.IntFunction<String> routed = s -> latency ? LatencyDriver.url( LATENCY_MS[s], urls.apply( s ) ) : urls.apply( s );
		all = BenchShards.open( urls, routed, new int[] { 0, 1, 2, 3, 4, 5, 6, 7 }, rowsPerShard, Map.of() );
		slowest = BenchShards.open( urls, routed, new int[] { SLOWEST }, rowsPerShard, Map.of() );
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		all.close();
		slowest.close();
	}

	private CrossShardQuery<Object[]> query(BenchShards shards) {
		return switch ( query ) {
			case "aggregate" -> shards.queries.allTenants()
					.query( "select count(i), sum(i.amount), max(i.amount) from BenchItem i where i.category = :c", Object[].class )
					.setParameter( "c", 3 );
			case "top100" -> shards.queries.allTenants()
					.query( "select i.id, i.amount from BenchItem i where i.category = :c order by i.amount desc, i.id", Object[].class )
					.setParameter( "c", 3 ).maxResults( 100 );
			default -> throw new IllegalArgumentException( "query must be aggregate or top100, but was " + query );
		};
	}

	@Benchmark
	public QueryResult<Object[]> fanOut8Shards() {
		return query( all ).list();
	}

	@Benchmark
	public QueryResult<Object[]> sequential8Shards() {
		return query( all ).maxConcurrentShards( 1 ).list();
	}

	@Benchmark
	public QueryResult<Object[]> slowestShardAlone() {
		return query( slowest ).list();
	}
}
