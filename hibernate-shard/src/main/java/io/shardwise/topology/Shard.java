package io.shardwise.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.shardwise.internal.Checks;

/**
 * A database shard: its endpoints per role, credentials, pool settings, status and capacity weight. Immutable;
 * change it through {@link #toBuilder()} and a compare-and-set on its {@link #version()} in the topology store.
 */
public final class Shard {
	private final String name;
	private final Endpoint write;
	private final List<Endpoint> reads;
	private final Endpoint analytics;
	private final Credentials credentials;
	private final PoolSettings pool;
	private final ShardStatus status;
	private final int capacityWeight;
	private final long version;

	private Shard(Builder b) {
		this.name = Checks.shardName( b.name );
		if ( b.write == null ) {
			throw new IllegalArgumentException( "shard '" + name + "': the WRITE endpoint (primary) must be set, but was null" );
		}
		this.write = b.write;
		this.reads = List.copyOf( b.reads );
		this.analytics = b.analytics;
		this.credentials = b.credentials == null ? Credentials.none() : b.credentials;
		this.pool = b.pool == null ? PoolSettings.INHERIT : b.pool;
		this.status = Checks.notNull( b.status, "shard '" + name + "' status" );
		this.capacityWeight = Checks.positive( b.capacityWeight, "shard '" + name + "' capacityWeight" );
		this.version = Checks.positive( b.version, "shard '" + name + "' version" );
	}

	public static Builder builder(String name) {
		return new Builder().name( name );
	}

	public Builder toBuilder() {
		Builder b = new Builder();
		b.name = name;
		b.write = write;
		b.reads.addAll( reads );
		b.analytics = analytics;
		b.credentials = credentials;
		b.pool = pool;
		b.status = status;
		b.capacityWeight = capacityWeight;
		b.version = version;
		return b;
	}

	/** A copy with the next version, for a compare-and-set: {@code store.replaceShard(s.version(), s.next().status(...).build())}. */
	public Builder next() {
		return toBuilder().version( version + 1 );
	}

	public String name() {
		return name;
	}

	public Endpoint write() {
		return write;
	}

	public List<Endpoint> reads() {
		return reads;
	}

	/** The analytics endpoint, or {@code null}. */
	public Endpoint analytics() {
		return analytics;
	}

	public Credentials credentials() {
		return credentials;
	}

	/** Credentials an endpoint connects with: its own, else the shard's. */
	public Credentials credentialsFor(Endpoint endpoint) {
		return endpoint.credentials() != null ? endpoint.credentials() : credentials;
	}

	public PoolSettings pool() {
		return pool;
	}

	public ShardStatus status() {
		return status;
	}

	public int capacityWeight() {
		return capacityWeight;
	}

	public long version() {
		return version;
	}

	/** Whether the connection-relevant parts (endpoints, credentials, pool) equal another shard's. */
	public boolean sameConnectionsAs(Shard other) {
		return other != null && write.equals( other.write ) && reads.equals( other.reads )
				&& Objects.equals( analytics, other.analytics ) && credentials.equals( other.credentials )
				&& pool.equals( other.pool );
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Shard s && name.equals( s.name ) && version == s.version && status == s.status
				&& capacityWeight == s.capacityWeight && sameConnectionsAs( s );
	}

	@Override
	public int hashCode() {
		return Objects.hash( name, version );
	}

	@Override
	public String toString() {
		return "Shard[" + name + " v" + version + " " + status + ", weight=" + capacityWeight + ", write=" + write
				+ ", reads=" + reads + ( analytics == null ? "" : ", analytics=" + analytics )
				+ ", credentials=" + credentials + "]";
	}

	public static final class Builder {
		private String name;
		private Endpoint write;
		private final List<Endpoint> reads = new ArrayList<>();
		private Endpoint analytics;
		private Credentials credentials;
		private PoolSettings pool;
		private ShardStatus status = ShardStatus.ACTIVE;
		private int capacityWeight = 1;
		private long version = 1;

		private Builder() {
		}

		public Builder name(String name) {
			this.name = Checks.shardName( name );
			return this;
		}

		public Builder write(Endpoint endpoint) {
			this.write = Checks.notNull( endpoint, "write endpoint" );
			return this;
		}

		public Builder write(String jdbcUrl) {
			return write( Endpoint.of( jdbcUrl ) );
		}

		public Builder addRead(Endpoint endpoint) {
			this.reads.add( Checks.notNull( endpoint, "read endpoint" ) );
			return this;
		}

		public Builder addRead(String jdbcUrl) {
			return addRead( Endpoint.of( jdbcUrl ) );
		}

		public Builder reads(List<Endpoint> endpoints) {
			this.reads.clear();
			endpoints.forEach( this::addRead );
			return this;
		}

		public Builder analytics(Endpoint endpoint) {
			this.analytics = endpoint;
			return this;
		}

		public Builder credentials(Credentials credentials) {
			this.credentials = credentials;
			return this;
		}

		public Builder credentials(String username, String password) {
			return credentials( Credentials.of( username, password ) );
		}

		public Builder pool(PoolSettings pool) {
			this.pool = pool;
			return this;
		}

		public Builder status(ShardStatus status) {
			this.status = Checks.notNull( status, "status" );
			return this;
		}

		public Builder capacityWeight(int weight) {
			this.capacityWeight = Checks.positive( weight, "capacityWeight" );
			return this;
		}

		public Builder version(long version) {
			this.version = Checks.positive( version, "version" );
			return this;
		}

		public Shard build() {
			return new Shard( this );
		}
	}
}
