package io.shardwise.benchmarks.query;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;
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
import io.shardwise.query.ResultStream;

/**
 * Streams a 10,000,000-row fan-out (8 H2 file shards x 1,250,000 rows, {@code LAZY_QUERY_EXECUTION} so H2 does not
 * materialise its results) through a {@link ResultStream}, unordered (concatenation) and in ORDER BY order (k-way
 * merge), in a JVM limited to {@code -Xmx256m}: holding the rows would need several GB. Prints the largest live heap
 * seen after any garbage collection during the streams and the live heap before them (H2's page caches, Hibernate's
 * metamodel: {@code HEAP ...}), and fails if not exactly 10,000,000 rows arrived.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = { "-Xmx256m" })
public class StreamingHeapBenchmark {
	static final int SHARDS = 8;

	@Param({ "1250000" })
	long rowsPerShard;

	@Param({ "unordered", "ordered" })
	String order;

	private BenchShards shards;
	private final AtomicLong maxLiveHeap = new AtomicLong();
	private final List<Runnable> unsubscribe = new ArrayList<>();

	private long maxLiveHeapMb;
	private long baselineMb;
	private long operations;

	@Setup(Level.Trial)
	public void setUp() throws SQLException {
		Path dir = Path.of( System.getProperty( "shardwise.bench.dir", System.getProperty( "java.io.tmpdir" ) + "/shardwise-bench-query" ) );
		java.util.function.IntFunction<String> urls = s -> "jdbc:h2:file:" + dir.resolve( "s" + s ).toAbsolutePath()
				+ ";CACHE_SIZE=4096;LAZY_QUERY_EXECUTION=1";
		shards = BenchShards.open( urls, urls, new int[] { 0, 1, 2, 3, 4, 5, 6, 7 }, rowsPerShard,
				Map.of( ShardwiseSettings.QUERY_TIMEOUT, "30m", ShardwiseSettings.QUERY_SHARD_TIMEOUT, "30m" ) );
		NotificationListener listener = (notification, handback) -> {
			if ( GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals( notification.getType() ) ) {
				GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from( (CompositeData) notification.getUserData() );
				long used = 0;
				for ( Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet() ) {
					if ( isHeap( e.getKey() ) ) {
						used += e.getValue().getUsed();
					}
				}
				maxLiveHeap.accumulateAndGet( used, Math::max );
			}
		};
		for ( GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans() ) {
			NotificationEmitter emitter = (NotificationEmitter) gc;
			emitter.addNotificationListener( listener, null, null );
			unsubscribe.add( () -> {
				try {
					emitter.removeNotificationListener( listener );
				}
				catch (javax.management.ListenerNotFoundException ignored) {
					// already gone
				}
			} );
		}
	}

	private static boolean isHeap(String pool) {
		return ManagementFactory.getMemoryPoolMXBeans().stream()
				.anyMatch( p -> p.getName().equals( pool ) && p.getType() == java.lang.management.MemoryType.HEAP );
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		System.out.println( "HEAP " + order + ": largest live heap after a GC while streaming " + SHARDS * rowsPerShard
				+ " rows: " + maxLiveHeapMb + " MB; live heap before streaming (after a full GC): " + baselineMb
				+ " MB (max heap " + Runtime.getRuntime().maxMemory() / ( 1024 * 1024 ) + " MB, " + operations + " operations)" );
		unsubscribe.forEach( Runnable::run );
		shards.close();
	}

	@Benchmark
	public long streamAllRows() {
		System.gc();
		baselineMb = Math.max( baselineMb, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / ( 1024 * 1024 ) );
		maxLiveHeap.set( 0 );
		String hql = "select i.id, i.amount from BenchItem i" + ( order.equals( "ordered" ) ? " order by i.id" : "" );
		long n = 0;
		try ( ResultStream<Object[]> rows = shards.queries.allTenants().query( hql, Object[].class ).stream() ) {
			while ( rows.hasNext() ) {
				rows.next();
				n++;
			}
		}
		if ( n != SHARDS * rowsPerShard ) {
			throw new IllegalStateException( "streamed " + n + " rows, expected " + SHARDS * rowsPerShard );
		}
		maxLiveHeapMb = Math.max( maxLiveHeapMb, maxLiveHeap.get() / ( 1024 * 1024 ) );
		operations++;
		return n;
	}
}
