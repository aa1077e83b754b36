package io.shardwise.benchmarks.query;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
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

import io.shardwise.ShardwiseSettings;
import io.shardwise.query.Keyset;
import io.shardwise.query.KeysetPage;
import io.shardwise.query.QueryResult;

/**
 * Ordered LIMIT over 8 H2 file shards of {@code rowsPerShard} rows each: the top 100 by amount reads at most
 * 8 x 100 rows from the shards (limit pushdown, k-way merge); a deep page by OFFSET reads 8 x (offset + 100), the same
 * page by keyset 8 x 101. Every operation checks its bound (reading more fails the benchmark); the largest number of
 * rows an operation read is printed at the end of each trial ({@code ROWS FETCHED ...}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = { "-Xmx2g" })
public class OrderedLimitBenchmark {
	static final String TOP = "select i.id, i.tenantId, i.amount from BenchItem i order by i.amount desc, i.id";
	static final int SHARDS = 8;

	@Param({ "1250000" })
	long rowsPerShard;

	@Param({ "10000" })
	int deepOffset;

	private BenchShards shards;
	private Keyset deepKey;

	private String method;
	private long maxFetched;
	private long operations;

	@Setup(Level.Trial)
	public void setUp() throws SQLException {
		Path dir = Path.of( System.getProperty( "shardwise.bench.dir", System.getProperty( "java.io.tmpdir" ) + "/shardwise-bench-query" ) );
		java.util.function.IntFunction<String> urls = s -> "jdbc:h2:file:" + dir.resolve( "s" + s ).toAbsolutePath() + ";CACHE_SIZE=32768";
		int[] all = { 0, 1, 2, 3, 4, 5, 6, 7 };
		shards = BenchShards.open( urls, urls, all, rowsPerShard, Map.of( ShardwiseSettings.QUERY_TIMEOUT, "10m",
				ShardwiseSettings.QUERY_SHARD_TIMEOUT, "10m" ) );
		// the keyset that ends the page before the deep one: the (offset)th row's ORDER BY values
		QueryResult<Object[]> before = shards.queries.allTenants().query( TOP, Object[].class )
				.firstResult( deepOffset - 1 ).maxResults( 1 ).list();
		Object[] last = before.rows().get( 0 );
		deepKey = Keyset.of( last[2], last[0] );
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		System.out.println( "ROWS FETCHED " + method + ": at most " + maxFetched + " rows read from the " + SHARDS
				+ " shards per operation, over " + operations + " operations" );
		shards.close();
	}

	private <T> T check(String name, T result, long fetched, long bound) {
		if ( fetched > bound ) {
			throw new IllegalStateException( name + " read " + fetched + " rows from the shards, more than the bound " + bound );
		}
		method = name + " (bound " + bound + ")";
		maxFetched = Math.max( maxFetched, fetched );
		operations++;
		return result;
	}

	@Benchmark
	public List<Object[]> top100() {
		QueryResult<Object[]> r = shards.queries.allTenants().query( TOP, Object[].class ).maxResults( 100 ).list();
		return check( "top100", r.rows(), r.rowsFetched(), SHARDS * 100L );
	}

	@Benchmark
	public List<Object[]> deepPageByOffset() {
		QueryResult<Object[]> r = shards.queries.allTenants().query( TOP, Object[].class ).firstResult( deepOffset ).maxResults( 100 ).list();
		return check( "deepPageByOffset", r.rows(), r.rowsFetched(), SHARDS * ( deepOffset + 100L ) );
	}

	@Benchmark
	public List<Object[]> deepPageByKeyset() {
		KeysetPage<Object[]> p = shards.queries.allTenants().query( TOP, Object[].class ).page( deepKey, 100 );
		return check( "deepPageByKeyset", p.rows(), p.rowsFetched(), SHARDS * 101L );
	}
}
