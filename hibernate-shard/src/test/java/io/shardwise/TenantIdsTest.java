package io.shardwise;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TenantIdsTest {

	@Test
	void acceptsOrdinaryIds() {
		assertThat( TenantIds.validate( "acme" ) ).isEqualTo( "acme" );
		assertThat( TenantIds.validate( "ACME Corp / EU" ) ).isEqualTo( "ACME Corp / EU" );
		assertThat( TenantIds.validate( "x".repeat( TenantIds.MAX_LENGTH ) ) ).hasSize( 128 );
	}

	@Test
	void rejectsNullBlankOversizedAndControlCharacters() {
		assertThatThrownBy( () -> TenantIds.validate( null ) ).isInstanceOf( MalformedTenantIdException.class )
				.hasMessageContaining( "but was null" ).hasMessageContaining( "TenantContext.run" );
		assertThatThrownBy( () -> TenantIds.validate( "   " ) ).isInstanceOf( MalformedTenantIdException.class )
				.hasMessageContaining( "non-blank" ).hasMessageContaining( "'   '" );
		assertThatThrownBy( () -> TenantIds.validate( "y".repeat( 129 ) ) ).isInstanceOf( MalformedTenantIdException.class )
				.hasMessageContaining( "at most 128 characters, but was 129" );
		assertThatThrownBy( () -> TenantIds.validate( "bad\nid" ) ).isInstanceOf( MalformedTenantIdException.class )
				.hasMessageContaining( "control characters" ).hasMessageContaining( "U+000A at index 3" )
				.hasMessageContaining( "'bad\\u000aid'" );
		assertThatThrownBy( () -> TenantIds.validate( " padded" ) ).isInstanceOf( MalformedTenantIdException.class )
				.hasMessageContaining( "whitespace" );
	}

	@Test
	void tenantContextNestsAndRestores() {
		assertThat( TenantContext.current() ).isEmpty();
		TenantContext.run( "outer", () -> {
			assertThat( TenantContext.currentOrNull() ).isEqualTo( "outer" );
			String inner = TenantContext.get( "inner", TenantContext::currentOrNull );
			assertThat( inner ).isEqualTo( "inner" );
			assertThat( TenantContext.currentOrNull() ).isEqualTo( "outer" );
			assertThatThrownBy( () -> TenantContext.run( "failing", () -> {
				throw new IllegalStateException( "boom" );
			} ) ).hasMessage( "boom" );
			assertThat( TenantContext.currentOrNull() ).isEqualTo( "outer" );
		} );
		assertThat( TenantContext.current() ).isEmpty();
		assertThatThrownBy( () -> TenantContext.run( "", () -> {
		} ) ).isInstanceOf( MalformedTenantIdException.class );
	}

	@Test
	void resolverNeverPicksATenantByItself() {
		ShardwiseTenantResolver resolver = new ShardwiseTenantResolver();
		assertThat( resolver.resolveCurrentTenantIdentifier() ).isEqualTo( ShardwiseTenantResolver.NO_TENANT );
		assertThatThrownBy( () -> TenantIds.validate( ShardwiseTenantResolver.NO_TENANT ) )
				.as( "the no-tenant marker can never be a real tenant" ).isInstanceOf( MalformedTenantIdException.class );
		assertThat( TenantContext.get( "acme", resolver::resolveCurrentTenantIdentifier ) ).isEqualTo( "acme" );
		assertThat( new ShardwiseTenantResolver( "fallback" ).resolveCurrentTenantIdentifier() ).isEqualTo( "fallback" );
	}
}
