package io.shardwise.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.topology.Credentials;
import io.shardwise.topology.Endpoint;
import io.shardwise.topology.PoolSettings;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardRole;

/**
 * Creates one HikariCP pool per shard endpoint, named {@code shardwise-<shard>-<role>[-<n>]}.
 */
public final class PoolFactory {
	/** A URL parameter whose key ends with "password" in any case, as HikariCP looks for it ([?&;] key =). */
	private static final Pattern PASSWORD_KEY = Pattern.compile( "([?&;][^&#;=]*?)((?i)password)=" );

	private final PoolSettings defaults;
	private final ShardMetricsTracker metrics;

	public PoolFactory(PoolSettings defaults, ShardMetricsTracker metrics) {
		this.defaults = defaults;
		this.metrics = metrics;
	}

	public static String poolName(String shard, ShardRole role, int index) {
		String base = "shardwise-" + shard + "-" + role.name().toLowerCase( java.util.Locale.ROOT );
		return role == ShardRole.READ ? base + "-" + index : base;
	}

	/**
	 * The JDBC URL with a password parameter spelt in a way HikariCP masks in its logs. HikariCP logs the URL (at
	 * DEBUG) with {@code password=} and {@code Password=} parameters masked, but not other spellings such as H2's
	 * {@code ;PASSWORD=}, which is the same setting for H2 (its settings ignore case). Such a key is passed on as
	 * {@code password=}; the value and everything else stay as written.
	 */
	public static String maskableByHikari(String jdbcUrl) {
		return PASSWORD_KEY.matcher( jdbcUrl ).replaceAll( m -> Matcher.quoteReplacement(
				m.group( 2 ).substring( 1 ).equals( "assword" ) ? m.group() : m.group( 1 ) + "password=" ) );
	}

	public HikariDataSource create(Shard shard, ShardRole role, int index, Endpoint endpoint) {
		PoolSettings pool = shard.pool().withDefaults( defaults );
		Credentials credentials = shard.credentialsFor( endpoint );
		HikariConfig config = new HikariConfig();
		config.setPoolName( poolName( shard.name(), role, index ) );
		config.setJdbcUrl( maskableByHikari( endpoint.jdbcUrl() ) );
		if ( !credentials.username().isEmpty() ) {
			config.setUsername( credentials.username() );
		}
		if ( !credentials.password().isEmpty() ) {
			try {
				config.setPassword( credentials.password().reveal() );
			}
			catch (IllegalStateException e) {
				throw new io.shardwise.TopologyException( "shard '" + shard.name() + "' " + role + " endpoint "
						+ endpoint.safeUrl() + ": " + e.getMessage(), e );
			}
		}
		config.setMaximumPoolSize( pool.maximumPoolSize() );
		config.setMinimumIdle( pool.minimumIdle() );
		config.setMaxLifetime( pool.maxLifetime().toMillis() );
		config.setConnectionTimeout( pool.connectionTimeout().toMillis() );
		config.setIdleTimeout( pool.idleTimeout().toMillis() );
		// A shard that is down at boot must not stop the application: the pool starts empty and keeps trying.
		config.setInitializationFailTimeout( -1 );
		if ( role != ShardRole.WRITE ) {
			config.setReadOnly( true );
		}
		metrics.configurePool( shard.name(), role, config );
		return new HikariDataSource( config );
	}
}
