package io.shardwise.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;

/**
 * The fault-isolation settings of one persistence unit ({@code shardwise.breaker.*}, {@code shardwise.bulkhead.*},
 * {@code shardwise.acquisition.*}, {@code shardwise.read.*}, {@code shardwise.health.*}, {@code shardwise.deferred.*}),
 * read and validated once at boot. Defaults are documented in {@link ShardwiseSettings}.
 */
public record FaultToleranceConfig(
		int failureThreshold,
		Duration waitInOpen,
		int halfOpenCalls,
		Clock clock,
		int bulkheadMaxConcurrent,
		Duration bulkheadMaxWait,
		int acquisitionMaxAttempts,
		Duration acquisitionBackoff,
		boolean readFallbackToPrimary,
		Duration healthInterval,
		Duration healthTimeout,
		ScheduledExecutorService scheduler,
		int deferredMaxAttempts,
		Duration deferredReplayInterval,
		Duration deferredMarkerRetention) {

	public static final int DEFAULT_FAILURE_THRESHOLD = 3;
	public static final Duration DEFAULT_WAIT_IN_OPEN = Duration.ofSeconds( 10 );
	public static final int DEFAULT_BULKHEAD = 32;
	public static final int DEFAULT_ACQUISITION_ATTEMPTS = 3;
	public static final Duration DEFAULT_BACKOFF = Duration.ofMillis( 50 );
	public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds( 10 );
	public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds( 5 );
	public static final int DEFAULT_DEFERRED_ATTEMPTS = 5;
	public static final Duration DEFAULT_REPLAY_INTERVAL = Duration.ofSeconds( 30 );
	public static final Duration DEFAULT_MARKER_RETENTION = Duration.ofDays( 7 );

	/** The defaults, as documented in {@link ShardwiseSettings}. */
	public static FaultToleranceConfig defaults() {
		return from( Map.of() );
	}

	public static FaultToleranceConfig from(Map<String, ?> values) {
		Settings s = new Settings( values );
		int threshold = s.integer( ShardwiseSettings.BREAKER_FAILURE_THRESHOLD, DEFAULT_FAILURE_THRESHOLD, 1 );
		Duration wait = positive( s, ShardwiseSettings.BREAKER_WAIT_IN_OPEN, DEFAULT_WAIT_IN_OPEN );
		int halfOpen = s.integer( ShardwiseSettings.BREAKER_HALF_OPEN_CALLS, 1, 1 );
		Clock clock = instance( s, ShardwiseSettings.BREAKER_CLOCK, Clock.class, Clock.systemUTC() );
		int bulkhead = s.integer( ShardwiseSettings.BULKHEAD_MAX_CONCURRENT_ACQUISITIONS, DEFAULT_BULKHEAD, 1 );
		Duration bulkheadWait = notNegative( s, ShardwiseSettings.BULKHEAD_MAX_WAIT, Duration.ZERO );
		int attempts = s.integer( ShardwiseSettings.ACQUISITION_MAX_ATTEMPTS, DEFAULT_ACQUISITION_ATTEMPTS, 1 );
		Duration backoff = positive( s, ShardwiseSettings.ACQUISITION_BACKOFF, DEFAULT_BACKOFF );
		boolean fallback = s.bool( ShardwiseSettings.READ_FALLBACK_TO_PRIMARY, true );
		Duration interval = notNegative( s, ShardwiseSettings.HEALTH_INTERVAL, DEFAULT_HEALTH_INTERVAL );
		Duration timeout = positive( s, ShardwiseSettings.HEALTH_TIMEOUT, DEFAULT_HEALTH_TIMEOUT );
		if ( timeout.toMillis() < 1000 ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.HEALTH_TIMEOUT
					+ "' must be at least 1s (JDBC validates in whole seconds), but was " + timeout );
		}
		ScheduledExecutorService scheduler = instance( s, ShardwiseSettings.HEALTH_SCHEDULER, ScheduledExecutorService.class, null );
		int deferredAttempts = s.integer( ShardwiseSettings.DEFERRED_MAX_ATTEMPTS, DEFAULT_DEFERRED_ATTEMPTS, 1 );
		Duration replay = notNegative( s, ShardwiseSettings.DEFERRED_REPLAY_INTERVAL, DEFAULT_REPLAY_INTERVAL );
		Duration retention = s.duration( ShardwiseSettings.DEFERRED_MARKER_RETENTION, DEFAULT_MARKER_RETENTION );
		if ( retention.compareTo( Duration.ofMinutes( 1 ) ) < 0 ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.DEFERRED_MARKER_RETENTION
					+ "' must be at least 1m (a marker must outlive every replay pass that may still read its entry), but was "
					+ retention + " (default: " + DEFAULT_MARKER_RETENTION + ")" );
		}
		return new FaultToleranceConfig( threshold, wait, halfOpen, clock, bulkhead, bulkheadWait, attempts, backoff,
				fallback, interval, timeout, scheduler, deferredAttempts, replay, retention );
	}

	private static Duration positive(Settings s, String key, Duration defaultValue) {
		Duration d = s.duration( key, defaultValue );
		if ( d.isNegative() || d.isZero() ) {
			throw new ShardwiseConfigurationException( "property '" + key + "' must be a positive duration, but was " + d
					+ " (default: " + defaultValue + ")" );
		}
		return d;
	}

	private static Duration notNegative(Settings s, String key, Duration defaultValue) {
		Duration d = s.duration( key, defaultValue );
		if ( d.isNegative() ) {
			throw new ShardwiseConfigurationException( "property '" + key + "' must be zero or a positive duration, but was "
					+ d + " (default: " + defaultValue + ")" );
		}
		return d;
	}

	private static <T> T instance(Settings s, String key, Class<T> type, T defaultValue) {
		Object v = s.object( key );
		if ( v == null ) {
			return defaultValue;
		}
		if ( type.isInstance( v ) ) {
			return type.cast( v );
		}
		throw new ShardwiseConfigurationException( "property '" + key + "' must be a " + type.getName()
				+ " instance handed in by code, but was " + Checks.quote( v ) );
	}
}
