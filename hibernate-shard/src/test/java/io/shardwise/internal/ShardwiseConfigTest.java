package io.shardwise.internal;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.topology.TenantTier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShardwiseConfigTest {

	@Test
	void defaults() {
		ShardwiseConfig c = ShardwiseConfig.from( Map.of() );
		assertThat( c.cacheTtl() ).isEqualTo( Duration.ofSeconds( 60 ) );
		assertThat( c.autoProvision() ).isFalse();
		assertThat( c.defaultTenant() ).isNull();
		assertThat( c.defaultTier() ).isEqualTo( TenantTier.SMALL );
		assertThat( c.placementStrategy() ).isEqualTo( "consistent-hash" );
		assertThat( c.poolDefaults().maximumPoolSize() ).isEqualTo( 50 );
		assertThat( c.poolDefaults().minimumIdle() ).isEqualTo( 10 );
		assertThat( c.poolDefaults().maxLifetime() ).isEqualTo( Duration.ofMinutes( 30 ) );
		assertThat( c.schemaOnAllShards() ).isTrue();
	}

	@Test
	void parsesValues() {
		ShardwiseConfig c = ShardwiseConfig.from( Map.of(
				ShardwiseSettings.CACHE_TTL, "500ms",
				ShardwiseSettings.AUTO_PROVISION, "true",
				ShardwiseSettings.PROVISIONING_DEFAULT_TIER, "large",
				ShardwiseSettings.POOL_MAXIMUM_SIZE, "8",
				ShardwiseSettings.POOL_MAX_LIFETIME, "PT45M",
				ShardwiseSettings.DEFAULT_TENANT, "public" ) );
		assertThat( c.cacheTtl() ).isEqualTo( Duration.ofMillis( 500 ) );
		assertThat( c.autoProvision() ).isTrue();
		assertThat( c.defaultTier() ).isEqualTo( TenantTier.LARGE );
		assertThat( c.poolDefaults().maximumPoolSize() ).isEqualTo( 8 );
		assertThat( c.poolDefaults().minimumIdle() ).isEqualTo( 8 );
		assertThat( c.poolDefaults().maxLifetime() ).isEqualTo( Duration.ofMinutes( 45 ) );
		assertThat( c.defaultTenant() ).isEqualTo( "public" );
	}

	@Test
	void badPropertiesNameKeyValueAndExpectation() {
		assertThatThrownBy( () -> ShardwiseConfig.from( Map.of( ShardwiseSettings.CACHE_TTL, "soon" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "'shardwise.cache.ttl' must be a duration" ).hasMessageContaining( "'soon'" );
		assertThatThrownBy( () -> ShardwiseConfig.from( Map.of( ShardwiseSettings.AUTO_PROVISION, "yes" ) ) )
				.hasMessageContaining( "'shardwise.provisioning.auto' must be true or false, but was 'yes'" );
		assertThatThrownBy( () -> ShardwiseConfig.from( Map.of( ShardwiseSettings.POOL_MAXIMUM_SIZE, "-1" ) ) )
				.hasMessageContaining( "'shardwise.pool.maximum-size' must be at least 1, but was -1" );
		assertThatThrownBy( () -> ShardwiseConfig.from( Map.of( ShardwiseSettings.POOL_MAXIMUM_SIZE, "many" ) ) )
				.hasMessageContaining( "must be an integer, but was 'many'" );
		assertThatThrownBy( () -> ShardwiseConfig.from( Map.of( ShardwiseSettings.PROVISIONING_DEFAULT_TIER, "XXL" ) ) )
				.hasMessageContaining( "must be one of SMALL, MEDIUM, LARGE, but was 'XXL'" );
		assertThatThrownBy( () -> ShardwiseConfig.from( Map.of( ShardwiseSettings.POOL_MAXIMUM_SIZE, "4",
				ShardwiseSettings.POOL_MINIMUM_IDLE, "9" ) ) ).hasMessageContaining( "minimumIdle must be at most maximumPoolSize (4), but was 9" );
		assertThatThrownBy( () -> ShardwiseConfig.from( Map.of( ShardwiseSettings.DEFAULT_TENANT, "x\ty" ) ) )
				.hasMessageContaining( "'shardwise.tenant.default' is not a valid tenant id" );
		assertThatThrownBy( () -> ShardwiseRuntime.metricsFrom( Map.of( ShardwiseSettings.METER_REGISTRY, "prometheus" ) ) )
				.hasMessageContaining( "'shardwise.metrics.registry' must be 'global', 'none'" );
	}

	/** Regression: an invalid pool size was reported with "(default: 1)", the minimum, instead of the real default. */
	@Test
	void invalidPoolSizesNamedTheMinimumAsTheirDefault() {
		assertThatThrownBy( () -> ShardwiseConfig.from( Map.of( ShardwiseSettings.POOL_MAXIMUM_SIZE, "abc" ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessage( "property 'shardwise.pool.maximum-size' must be an integer, but was 'abc' (default: 50)" );
		assertThatThrownBy( () -> ShardwiseConfig.from( Map.of( ShardwiseSettings.POOL_MINIMUM_IDLE, "-2" ) ) )
				.hasMessage( "property 'shardwise.pool.minimum-idle' must be at least 0, but was -2 (default: 10)" );
	}

	@Test
	void durations() {
		assertThat( Settings.parseDuration( "30s" ) ).isEqualTo( Duration.ofSeconds( 30 ) );
		assertThat( Settings.parseDuration( "5m" ) ).isEqualTo( Duration.ofMinutes( 5 ) );
		assertThat( Settings.parseDuration( "1h" ) ).isEqualTo( Duration.ofHours( 1 ) );
		assertThat( Settings.parseDuration( "250" ) ).isEqualTo( Duration.ofMillis( 250 ) );
		assertThat( Settings.parseDuration( "pt2s" ) ).isEqualTo( Duration.ofSeconds( 2 ) );
		assertThatThrownBy( () -> Settings.parseDuration( "2 weeks" ) ).isInstanceOf( IllegalArgumentException.class );
	}
}
