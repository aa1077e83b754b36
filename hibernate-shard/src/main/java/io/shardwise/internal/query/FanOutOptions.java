package io.shardwise.internal.query;

import java.time.Duration;

import io.shardwise.internal.Checks;
import io.shardwise.query.PartialResults;

/**
 * The bounds of one cross-shard query, resolved from the persistence-unit defaults and the per-query overrides.
 */
record FanOutOptions(PartialResults partialResults, Duration shardTimeout, Duration timeout, int maxConcurrentShards,
		int maxBufferedRows, int fetchSize) {

	FanOutOptions {
		Checks.notNull( partialResults, "partialResults" );
		Checks.positive( shardTimeout, "shard timeout" );
		Checks.positive( timeout, "overall timeout" );
		Checks.positive( maxConcurrentShards, "maxConcurrentShards" );
		Checks.positive( maxBufferedRows, "maxBufferedRows" );
		Checks.positive( fetchSize, "fetchSize" );
	}

	/** The JDBC query timeout: the per-shard timeout rounded up to whole seconds. */
	int jdbcTimeoutSeconds() {
		long s = ( shardTimeout.toMillis() + 999 ) / 1000;
		return (int) Math.min( Math.max( s, 1 ), Integer.MAX_VALUE );
	}
}
