package io.shardwise.topology;

import java.util.Objects;

import io.shardwise.internal.Checks;

/**
 * User name and password for a shard endpoint. The password is a {@link Secret} and never printed.
 */
public final class Credentials {
	private final String username;
	private final Secret password;

	private Credentials(String username, Secret password) {
		this.username = username == null ? "" : username;
		this.password = Checks.notNull( password, "password" );
	}

	public static Credentials of(String username, Secret password) {
		return new Credentials( username, password == null ? Secret.empty() : password );
	}

	public static Credentials of(String username, String password) {
		return new Credentials( username, Secret.of( password ) );
	}

	public static Credentials none() {
		return new Credentials( "", Secret.empty() );
	}

	public String username() {
		return username;
	}

	public Secret password() {
		return password;
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Credentials c && username.equals( c.username ) && password.equals( c.password );
	}

	@Override
	public int hashCode() {
		return Objects.hash( username, password );
	}

	@Override
	public String toString() {
		return "Credentials[username=" + username + ", password=" + password + "]";
	}
}
