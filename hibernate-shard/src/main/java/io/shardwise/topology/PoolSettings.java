package io.shardwise.topology;

import java.time.Duration;
import java.util.Objects;

import io.shardwise.internal.Checks;

/**
 * Connection pool settings of a shard. Every value is optional: an unset value is inherited from the defaults given
 * in persistence.xml ({@code shardwise.pool.*}), which themselves default to {@link #DEFAULTS}.
 */
public final class PoolSettings {
	/** The built-in defaults: 50 open, 10 idle, 30 min max lifetime, 30 s connection timeout, 10 min idle timeout. */
	public static final PoolSettings DEFAULTS = builder()
			.maximumPoolSize( 50 )
			.minimumIdle( 10 )
			.maxLifetime( Duration.ofMinutes( 30 ) )
			.connectionTimeout( Duration.ofSeconds( 30 ) )
			.idleTimeout( Duration.ofMinutes( 10 ) )
			.build();

	/** No overrides at all. */
	public static final PoolSettings INHERIT = builder().build();

	private final Integer maximumPoolSize;
	private final Integer minimumIdle;
	private final Duration maxLifetime;
	private final Duration connectionTimeout;
	private final Duration idleTimeout;

	private PoolSettings(Builder b) {
		this.maximumPoolSize = b.maximumPoolSize;
		this.minimumIdle = b.minimumIdle;
		this.maxLifetime = b.maxLifetime;
		this.connectionTimeout = b.connectionTimeout;
		this.idleTimeout = b.idleTimeout;
	}

	public static Builder builder() {
		return new Builder();
	}

	public Builder toBuilder() {
		Builder b = new Builder();
		b.maximumPoolSize = maximumPoolSize;
		b.minimumIdle = minimumIdle;
		b.maxLifetime = maxLifetime;
		b.connectionTimeout = connectionTimeout;
		b.idleTimeout = idleTimeout;
		return b;
	}

	/**
	 * These settings with every unset value taken from {@code defaults}; checks that idle does not exceed maximum.
	 */
	public PoolSettings withDefaults(PoolSettings defaults) {
		Builder b = new Builder();
		b.maximumPoolSize = maximumPoolSize != null ? maximumPoolSize : defaults.maximumPoolSize;
		b.minimumIdle = minimumIdle != null ? minimumIdle : defaults.minimumIdle;
		b.maxLifetime = maxLifetime != null ? maxLifetime : defaults.maxLifetime;
		b.connectionTimeout = connectionTimeout != null ? connectionTimeout : defaults.connectionTimeout;
		b.idleTimeout = idleTimeout != null ? idleTimeout : defaults.idleTimeout;
		if ( b.maximumPoolSize != null && b.minimumIdle != null && b.minimumIdle > b.maximumPoolSize ) {
			// a shard that lowers its maximum below the inherited idle count gets idle = maximum
			b.minimumIdle = minimumIdle != null ? minimumIdle : b.maximumPoolSize;
		}
		return b.build();
	}

	public Integer maximumPoolSize() {
		return maximumPoolSize;
	}

	public Integer minimumIdle() {
		return minimumIdle;
	}

	public Duration maxLifetime() {
		return maxLifetime;
	}

	public Duration connectionTimeout() {
		return connectionTimeout;
	}

	public Duration idleTimeout() {
		return idleTimeout;
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof PoolSettings p
				&& Objects.equals( maximumPoolSize, p.maximumPoolSize )
				&& Objects.equals( minimumIdle, p.minimumIdle )
				&& Objects.equals( maxLifetime, p.maxLifetime )
				&& Objects.equals( connectionTimeout, p.connectionTimeout )
				&& Objects.equals( idleTimeout, p.idleTimeout );
	}

	@Override
	public int hashCode() {
		return Objects.hash( maximumPoolSize, minimumIdle, maxLifetime, connectionTimeout, idleTimeout );
	}

	@Override
	public String toString() {
		return "PoolSettings[maximumPoolSize=" + maximumPoolSize + ", minimumIdle=" + minimumIdle
				+ ", maxLifetime=" + maxLifetime + ", connectionTimeout=" + connectionTimeout
				+ ", idleTimeout=" + idleTimeout + "]";
	}

	public static final class Builder {
		private Integer maximumPoolSize;
		private Integer minimumIdle;
		private Duration maxLifetime;
		private Duration connectionTimeout;
		private Duration idleTimeout;

		private Builder() {
		}

		public Builder maximumPoolSize(Integer value) {
			this.maximumPoolSize = value == null ? null : Checks.positive( value, "maximumPoolSize" );
			return this;
		}

		public Builder minimumIdle(Integer value) {
			this.minimumIdle = value == null ? null : Checks.notNegative( value, "minimumIdle" );
			return this;
		}

		public Builder maxLifetime(Duration value) {
			if ( value != null && value.toMillis() < 30_000 ) {
				throw new IllegalArgumentException( "maxLifetime must be at least 30s (HikariCP's minimum), but was " + value );
			}
			this.maxLifetime = value;
			return this;
		}

		public Builder connectionTimeout(Duration value) {
			if ( value != null && value.toMillis() < 250 ) {
				throw new IllegalArgumentException( "connectionTimeout must be at least 250ms (HikariCP's minimum), but was " + value );
			}
			this.connectionTimeout = value;
			return this;
		}

		public Builder idleTimeout(Duration value) {
			this.idleTimeout = value == null ? null : Checks.notNegative( value, "idleTimeout" );
			return this;
		}

		public PoolSettings build() {
			if ( maximumPoolSize != null && minimumIdle != null && minimumIdle > maximumPoolSize ) {
				throw new IllegalArgumentException( "minimumIdle must be at most maximumPoolSize (" + maximumPoolSize
						+ "), but was " + minimumIdle );
			}
			return new PoolSettings( this );
		}
	}
}
