package io.shardwise;

import io.shardwise.internal.Checks;

/**
 * The rules for tenant ids: 1 to {@value #MAX_LENGTH} characters, not blank, no control characters.
 * Tenant ids are always bound as JDBC parameters, never concatenated into SQL.
 */
public final class TenantIds {
	/** The longest accepted tenant id, in characters (the catalog column is sized for it). */
	public static final int MAX_LENGTH = 128;

	private TenantIds() {
	}

	/**
	 * Returns the id if valid.
	 *
	 * @throws MalformedTenantIdException naming the value and the rule it breaks
	 */
	public static String validate(String tenantId) {
		if ( tenantId == null ) {
			throw new MalformedTenantIdException( "tenant id must be a non-blank string, but was null: set a tenant with "
					+ "TenantContext.run(tenantId, ...) or pass 'org.hibernate.tenantId' when opening the EntityManager" );
		}
		if ( tenantId.isBlank() ) {
			throw new MalformedTenantIdException( "tenant id must be a non-blank string, but was " + Checks.quote( tenantId ) );
		}
		if ( tenantId.length() > MAX_LENGTH ) {
			throw new MalformedTenantIdException( "tenant id must be at most " + MAX_LENGTH + " characters, but was "
					+ tenantId.length() + " characters: " + Checks.quote( tenantId ) );
		}
		for ( int i = 0; i < tenantId.length(); i++ ) {
			char c = tenantId.charAt( i );
			if ( Character.isISOControl( c ) ) {
				throw new MalformedTenantIdException( "tenant id must not contain control characters, but "
						+ Checks.quote( tenantId ) + " has U+" + String.format( "%04X", (int) c ) + " at index " + i );
			}
		}
		if ( !tenantId.equals( tenantId.strip() ) ) {
			throw new MalformedTenantIdException( "tenant id must not start or end with whitespace, but was "
					+ Checks.quote( tenantId ) );
		}
		return tenantId;
	}
}
