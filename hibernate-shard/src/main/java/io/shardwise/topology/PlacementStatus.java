package io.shardwise.topology;

/**
 * State of one tenant's placement.
 */
public enum PlacementStatus {
	/** Routed normally. */
	ACTIVE( true ),
	/** Routed for reads; read-write sessions get read-only connections (used while a move cuts over). */
	READ_ONLY( false ),
	/** Not routed: sessions fail with {@code TenantUnavailableException}. */
	SUSPENDED( false );

	private final boolean writable;

	PlacementStatus(boolean writable) {
		this.writable = writable;
	}

	public boolean writable() {
		return writable;
	}
}
