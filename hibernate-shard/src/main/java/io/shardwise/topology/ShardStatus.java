package io.shardwise.topology;

/**
 * Lifecycle state of a shard.
 */
public enum ShardStatus {
	/** Serves reads and writes, and receives new tenants. */
	ACTIVE( true, true, true ),
	/** Serves reads only: read-write sessions get read-only connections; no new tenants. */
	READ_ONLY( true, false, false ),
	/** Serves its existing tenants (reads and writes) while they are moved away; no new tenants. */
	DRAINING( true, true, false ),
	/** Serves nothing: every session for its tenants fails fast with {@code ShardOfflineException}. */
	OFFLINE( false, false, false );

	private final boolean serves;
	private final boolean writable;
	private final boolean acceptsNewTenants;

	ShardStatus(boolean serves, boolean writable, boolean acceptsNewTenants) {
		this.serves = serves;
		this.writable = writable;
		this.acceptsNewTenants = acceptsNewTenants;
	}

	public boolean serves() {
		return serves;
	}

	public boolean writable() {
		return writable;
	}

	public boolean acceptsNewTenants() {
		return acceptsNewTenants;
	}
}
