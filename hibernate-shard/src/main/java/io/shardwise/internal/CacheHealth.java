package io.shardwise.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;

/**
 * The health of a route cache: its hit ratio over a sliding window (by default the last 5 minutes), from the
 * cumulative request and hit counters the cache already keeps ({@code shard_topology_cache_requests_total},
 * {@code shard_topology_cache_hits_total}). When the ratio drops below the minimum (by default 95%), {@link #reloadDue()}
 * answers {@code true} once, and the router pulls the whole topology before it routes further.
 * <p>
 * The counters are sampled on the miss path only, at most once per 1/30 of the window (10 s by default), so the
 * window is measured to that precision and the hit path pays nothing. A window must hold
 * {@link Policy#minRequests()} lookups before it is judged (a cold cache after start is not a reason to pull). After a
 * pull, {@link #restart()} starts a new window. Time comes from an injected nanosecond clock.
 */
public final class CacheHealth {
	private static final int BUCKETS = 30;

	/**
	 * When a pull is due: hit ratio below {@code minHitRatio} ({@code 0} turns the check off) over {@code window},
	 * with at least {@code minRequests} lookups in it.
	 */
	public record Policy(double minHitRatio, Duration window, long minRequests) {
		public static final Policy DEFAULT = new Policy( 0.95, Duration.ofMinutes( 5 ), 1000 );

		public Policy {
			if ( !( minHitRatio >= 0 && minHitRatio <= 1 ) ) {
				throw new IllegalArgumentException( "minHitRatio must be between 0 and 1, but was " + minHitRatio );
			}
			Checks.positive( window, "window" );
			if ( minRequests < 1 ) {
				throw new IllegalArgumentException( "minRequests must be at least 1, but was " + minRequests );
			}
		}

		/** Reads {@code shardwise.cache.health.*}. */
		public static Policy from(Map<String, ?> values) {
			Settings s = new Settings( values );
			double ratio = DEFAULT.minHitRatio;
			String r = s.string( ShardwiseSettings.CACHE_HEALTH_MIN_HIT_RATIO, null );
			if ( r != null ) {
				try {
					ratio = Double.parseDouble( r );
				}
				catch (NumberFormatException e) {
					ratio = Double.NaN;
				}
				if ( !( ratio >= 0 && ratio <= 1 ) ) {
					throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.CACHE_HEALTH_MIN_HIT_RATIO
							+ "' must be a number between 0 (off) and 1, such as 0.95, but was " + Checks.quote( r )
							+ " (default: " + String.format( Locale.ROOT, "%.2f", DEFAULT.minHitRatio ) + ")" );
				}
			}
			Duration window = s.duration( ShardwiseSettings.CACHE_HEALTH_WINDOW, DEFAULT.window );
			if ( window.isNegative() || window.isZero() ) {
				throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.CACHE_HEALTH_WINDOW
						+ "' must be a positive duration, but was " + window + " (default: 5m)" );
			}
			int min = s.integer( ShardwiseSettings.CACHE_HEALTH_MIN_REQUESTS, (int) DEFAULT.minRequests, 1 );
			return new Policy( ratio, window, min );
		}
	}

	private final Policy policy;
	private final LongSupplier requests;
	private final LongSupplier hits;
	private final LongSupplier nanoClock;
	private final long windowNanos;
	private final long bucketNanos;
	private final long[] times = new long[BUCKETS + 4];
	private final long[] requestSamples = new long[BUCKETS + 4];
	private final long[] hitSamples = new long[BUCKETS + 4];
	private int first;
	private int count;
	private volatile long nextCheckNanos;
	private double lastRatio = 1;
	private long lastRequests;
	private long pulls;

	public CacheHealth(Policy policy, LongSupplier requests, LongSupplier hits, LongSupplier nanoClock) {
		this.policy = Checks.notNull( policy, "policy" );
		this.requests = requests;
		this.hits = hits;
		this.nanoClock = nanoClock;
		this.windowNanos = policy.window().toNanos();
		this.bucketNanos = Math.max( 1, windowNanos / BUCKETS );
		restartAt( nanoClock.getAsLong() );
	}

	/**
	 * Whether the hit ratio over the window has dropped below the minimum: answers {@code true} to one caller, who
	 * pulls the topology and then calls {@link #restart()}. Cheap (a volatile read) except once per sampling interval.
	 */
	public boolean reloadDue() {
		if ( policy.minHitRatio() <= 0 ) {
			return false;
		}
		long now = nanoClock.getAsLong();
		if ( now - nextCheckNanos < 0 ) {
			return false;
		}
		synchronized ( this ) {
			if ( now - nextCheckNanos < 0 ) {
				return false;
			}
			nextCheckNanos = now + bucketNanos;
			long r = requests.getAsLong();
			long h = hits.getAsLong();
			add( now, r, h );
			// keep as base the newest sample taken at or before the window's start
			while ( count >= 2 && now - times[index( 1 )] >= windowNanos ) {
				first = index( 1 );
				count--;
			}
			int base = index( 0 );
			lastRequests = r - requestSamples[base];
			lastRatio = lastRequests == 0 ? 1 : (double) ( h - hitSamples[base] ) / lastRequests;
			if ( lastRequests >= policy.minRequests() && lastRatio < policy.minHitRatio() ) {
				// nobody else pulls until this pull restarts the window
				nextCheckNanos = Long.MAX_VALUE / 2 + now;
				return true;
			}
			return false;
		}
	}

	/** Starts a new window now (after a pull). */
	public synchronized void restart() {
		restartAt( nanoClock.getAsLong() );
		pulls++;
	}

	private void restartAt(long now) {
		first = 0;
		count = 0;
		add( now, requests.getAsLong(), hits.getAsLong() );
		nextCheckNanos = now + bucketNanos;
	}

	private void add(long now, long r, long h) {
		if ( count == times.length ) {
			first = index( 1 );
			count--;
		}
		int i = index( count );
		times[i] = now;
		requestSamples[i] = r;
		hitSamples[i] = h;
		count++;
	}

	private int index(int offset) {
		return ( first + offset ) % times.length;
	}

	/** The hit ratio measured at the last check (1 before any lookup). */
	public synchronized double lastRatio() {
		return lastRatio;
	}

	/** The lookups in the window at the last check. */
	public synchronized long lastRequests() {
		return lastRequests;
	}

	/** How many full pulls were made. */
	public synchronized long pulls() {
		return pulls;
	}

	public Policy policy() {
		return policy;
	}

	/** For messages: "hit ratio 41.2% over the last PT5M (1250 lookups), minimum 95%". */
	public synchronized String describe() {
		return String.format( Locale.ROOT, "hit ratio %.1f%% over the last %s (%d lookups), minimum %.0f%%", lastRatio * 100,
				policy.window(), lastRequests, policy.minHitRatio() * 100 );
	}
}
