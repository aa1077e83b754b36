package io.shardwise.topology;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretAndModelTest {

	@Test
	void secretsNeverPrintThemselves() {
		Secret literal = Secret.of( "hunter2" );
		assertThat( literal.toString() ).doesNotContain( "hunter2" ).isEqualTo( "******" );
		assertThat( literal.reveal() ).isEqualTo( "hunter2" );
		Shard shard = Shard.builder( "eu-1" ).write( "jdbc:postgresql://db/app?password=topsecret" )
				.credentials( "app", "hunter2" ).build();
		assertThat( shard.toString() ).doesNotContain( "hunter2" ).doesNotContain( "topsecret" ).contains( "app" );
	}

	@Test
	void referencesResolveFromPropertiesThenEnvironmentThenDefault() {
		Secret ref = Secret.of( "${SW_PW}" );
		assertThat( ref.isReference() ).isTrue();
		assertThat( ref.toString() ).isEqualTo( "${SW_PW}" );
		assertThat( ref.reveal( Map.of( "SW_PW", "from-prop" )::get, Map.of( "SW_PW", "from-env" )::get ) ).isEqualTo( "from-prop" );
		assertThat( ref.reveal( k -> null, Map.of( "SW_PW", "from-env" )::get ) ).isEqualTo( "from-env" );
		assertThat( Secret.of( "${SW_PW:fallback}" ).reveal( k -> null, k -> null ) ).isEqualTo( "fallback" );
		assertThatThrownBy( () -> ref.reveal( k -> null, k -> null ) ).isInstanceOf( IllegalStateException.class )
				.hasMessageContaining( "${SW_PW} is not set" ).hasMessageContaining( "environment variable 'SW_PW'" );
	}

	@Test
	void shardValidation() {
		assertThatThrownBy( () -> Shard.builder( "bad name!" ) ).hasMessageContaining( "shard name must be" )
				.hasMessageContaining( "'bad name!'" );
		assertThatThrownBy( () -> Shard.builder( "eu-1" ).build() ).hasMessageContaining( "WRITE endpoint" );
		assertThatThrownBy( () -> Shard.builder( "eu-1" ).write( "postgres://db" ) ).hasMessageContaining( "must start with 'jdbc:'" );
		assertThatThrownBy( () -> Shard.builder( "eu-1" ).capacityWeight( 0 ) )
				.hasMessage( "capacityWeight must be greater than 0, but was 0" );
		Shard s = Shard.builder( "eu-1" ).write( "jdbc:h2:mem:x" ).build();
		assertThat( s.version() ).isEqualTo( 1 );
		Shard next = s.next().status( ShardStatus.DRAINING ).build();
		assertThat( next.version() ).isEqualTo( 2 );
		assertThat( next.sameConnectionsAs( s ) ).isTrue();
		assertThat( s.next().credentials( "u", "p" ).build().sameConnectionsAs( s ) ).isFalse();
	}

	@Test
	void poolSettingsValidateAndInherit() {
		assertThatThrownBy( () -> PoolSettings.builder().maximumPoolSize( 0 ) )
				.hasMessage( "maximumPoolSize must be greater than 0, but was 0" );
		assertThatThrownBy( () -> PoolSettings.builder().maximumPoolSize( 5 ).minimumIdle( 6 ).build() )
				.hasMessage( "minimumIdle must be at most maximumPoolSize (5), but was 6" );
		assertThatThrownBy( () -> PoolSettings.builder().maxLifetime( Duration.ofSeconds( 1 ) ) )
				.hasMessageContaining( "maxLifetime must be at least 30s" );
		PoolSettings merged = PoolSettings.builder().maximumPoolSize( 5 ).build().withDefaults( PoolSettings.DEFAULTS );
		assertThat( merged.maximumPoolSize() ).isEqualTo( 5 );
		assertThat( merged.minimumIdle() ).as( "inherited idle capped at the lower maximum" ).isEqualTo( 5 );
		assertThat( merged.maxLifetime() ).isEqualTo( Duration.ofMinutes( 30 ) );
		assertThat( PoolSettings.INHERIT.withDefaults( PoolSettings.DEFAULTS ) ).isEqualTo( PoolSettings.DEFAULTS );
	}

	@Test
	void placementValidation() {
		assertThatThrownBy( () -> TenantPlacement.of( "", "eu-1", TenantTier.SMALL ) ).hasMessageContaining( "non-blank" );
		TenantPlacement p = TenantPlacement.of( "acme", "eu-1", TenantTier.LARGE );
		assertThat( p.movedTo( "eu-2" ) ).extracting( TenantPlacement::shard, TenantPlacement::version ).containsExactly( "eu-2", 2L );
		assertThatThrownBy( () -> TenantTier.parse( "HUGE" ) ).hasMessage( "tenant tier must be one of SMALL, MEDIUM, LARGE, but was 'HUGE'" );
	}
}
