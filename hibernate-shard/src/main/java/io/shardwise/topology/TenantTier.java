package io.shardwise.topology;

/**
 * Size class of a tenant; its weight is the load it puts on a shard for tier-weighted placement.
 */
public enum TenantTier {
	SMALL( 1 ),
	MEDIUM( 4 ),
	LARGE( 16 );

	private final int weight;

	TenantTier(int weight) {
		this.weight = weight;
	}

	public int weight() {
		return weight;
	}

	/**
	 * Parses a tier name case-insensitively, with an error that lists the allowed values.
	 */
	public static TenantTier parse(String value) {
		if ( value != null ) {
			for ( TenantTier t : values() ) {
				if ( t.name().equalsIgnoreCase( value.trim() ) ) {
					return t;
				}
			}
		}
		throw new IllegalArgumentException( "tenant tier must be one of SMALL, MEDIUM, LARGE, but was '" + value + "'" );
	}
}
