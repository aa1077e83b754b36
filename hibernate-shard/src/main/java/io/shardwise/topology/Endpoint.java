package io.shardwise.topology;

import java.util.Objects;

import io.shardwise.internal.Checks;

/**
 * One database a shard role connects to: a JDBC URL and, optionally, credentials that override the shard's.
 */
public final class Endpoint {
	private final String jdbcUrl;
	private final Credentials credentials;

	private Endpoint(String jdbcUrl, Credentials credentials) {
		Checks.notBlank( jdbcUrl, "endpoint jdbcUrl" );
		if ( !jdbcUrl.startsWith( "jdbc:" ) ) {
			throw new IllegalArgumentException( "endpoint jdbcUrl must start with 'jdbc:', but was " + Checks.quote( redact( jdbcUrl ) ) );
		}
		this.jdbcUrl = jdbcUrl;
		this.credentials = credentials;
	}

	public static Endpoint of(String jdbcUrl) {
		return new Endpoint( jdbcUrl, null );
	}

	public static Endpoint of(String jdbcUrl, Credentials credentials) {
		return new Endpoint( jdbcUrl, credentials );
	}

	public String jdbcUrl() {
		return jdbcUrl;
	}

	/** Credentials of this endpoint, or {@code null} to use the shard's. */
	public Credentials credentials() {
		return credentials;
	}

	/** The JDBC URL with any {@code password=...} parameter masked, for messages and logs. */
	public String safeUrl() {
		return redact( jdbcUrl );
	}

	/** A JDBC URL with any {@code password=...} parameter masked; {@code null} stays {@code null}. */
	public static String redact(String url) {
		return url == null ? null : url.replaceAll( "(?i)(password=)[^&;]*", "$1******" );
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Endpoint e && jdbcUrl.equals( e.jdbcUrl ) && Objects.equals( credentials, e.credentials );
	}

	@Override
	public int hashCode() {
		return Objects.hash( jdbcUrl, credentials );
	}

	@Override
	public String toString() {
		return credentials == null ? safeUrl() : safeUrl() + " as " + credentials.username();
	}
}
