package io.shardwise.query;

import java.time.Duration;

import io.shardwise.internal.query.QuerySpec;

/** The per-query bounds common to queries and callbacks; unset values take the persistence unit's defaults. */
final class Bounds {
	PartialResults partialResults;
	Duration shardTimeout;
	Duration timeout;
	Integer maxConcurrentShards;
	Integer maxBufferedRows;

	void partialResults(PartialResults p) {
		if ( p == null ) {
			throw new IllegalArgumentException( "partial results policy must be FAIL or PARTIAL, but was null" );
		}
		partialResults = p;
	}

	void shardTimeout(Duration d) {
		shardTimeout = positive( d, "per-shard timeout" );
	}

	void timeout(Duration d) {
		timeout = positive( d, "overall timeout" );
	}

	void maxConcurrentShards(int n) {
		maxConcurrentShards = positive( n, "maxConcurrentShards" );
	}

	void maxBufferedRows(int n) {
		maxBufferedRows = positive( n, "maxBufferedRows" );
	}

	QuerySpec.Overrides toOverrides() {
		return new QuerySpec.Overrides( partialResults, shardTimeout, timeout, maxConcurrentShards, maxBufferedRows );
	}

	private static Duration positive(Duration d, String what) {
		if ( d == null || d.isNegative() || d.isZero() ) {
			throw new IllegalArgumentException( what + " must be a positive duration, but was " + d );
		}
		return d;
	}

	private static int positive(int n, String what) {
		if ( n <= 0 ) {
			throw new IllegalArgumentException( what + " must be greater than 0, but was " + n );
		}
		return n;
	}
}
