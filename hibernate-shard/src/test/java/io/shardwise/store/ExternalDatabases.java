package io.shardwise.store;

import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Support for tests against the local PostgreSQL and MariaDB servers: unique database names, and a loud skip when a
 * server is not there (a failure when the environment variable {@code CI} is {@code true}).
 */
final class ExternalDatabases {
	private ExternalDatabases() {
	}

	/** A fresh database name such as {@code sw_store_3f2a9c01d4e5}. */
	static String uniqueName() {
		return "sw_store_" + UUID.randomUUID().toString().replace( "-", "" ).substring( 0, 12 ).toLowerCase( Locale.ROOT );
	}

	/** Tells loudly, once per test class, that {@code what} cannot be reached. */
	static void announce(String what, Exception cause) {
		System.err.println( message( what, cause ) );
	}

	/** Skips the calling test (fails it when the environment variable CI is true): {@code what} cannot be reached. */
	static void unavailable(String what, Exception cause) {
		String message = message( what, cause );
		if ( "true".equalsIgnoreCase( System.getenv( "CI" ) ) ) {
			fail( message, cause );
		}
		Assumptions.abort( message );
	}

	private static String message(String what, Exception cause) {
		return "*** " + what + " is not reachable (" + cause.getMessage() + "): SKIPPING these tests. "
				+ "Start the server to run them; with CI=true this is a failure. ***";
	}
}
