package io.shardwise.topology;

import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A credential value that never shows itself in {@code toString}, logs or exception messages.
 * <p>
 * A secret is either a literal, or a reference of the form {@code ${NAME}} or {@code ${NAME:default}}, resolved
 * when the secret is {@linkplain #reveal() revealed}: first from the system property {@code NAME}, then from the
 * environment variable {@code NAME}, then from the default. Topology stores persist the {@linkplain #raw() raw}
 * form, so a reference stays a reference.
 */
public final class Secret {
	private static final Pattern REFERENCE = Pattern.compile( "\\$\\{([A-Za-z_][A-Za-z0-9_.\\-]*)(?::([^}]*))?}" );
	private static final Secret EMPTY = new Secret( "" );

	private final String raw;

	private Secret(String raw) {
		this.raw = raw;
	}

	public static Secret of(String raw) {
		if ( raw == null || raw.isEmpty() ) {
			return EMPTY;
		}
		return new Secret( raw );
	}

	public static Secret empty() {
		return EMPTY;
	}

	/** The stored form: a literal or a {@code ${NAME}} reference. Not for logging. */
	public String raw() {
		return raw;
	}

	public boolean isReference() {
		return REFERENCE.matcher( raw ).matches();
	}

	public boolean isEmpty() {
		return raw.isEmpty();
	}

	/**
	 * The usable value, with a reference resolved from system properties, then the environment.
	 *
	 * @throws IllegalStateException naming the reference (never a value) when it cannot be resolved
	 */
	public String reveal() {
		return reveal( System::getProperty, System::getenv );
	}

	String reveal(UnaryOperator<String> properties, UnaryOperator<String> environment) {
		Matcher m = REFERENCE.matcher( raw );
		if ( !m.matches() ) {
			return raw;
		}
		String name = m.group( 1 );
		String value = properties.apply( name );
		if ( value == null ) {
			value = environment.apply( name );
		}
		if ( value == null ) {
			value = m.group( 2 );
		}
		if ( value == null ) {
			throw new IllegalStateException( "credential reference ${" + name + "} is not set: define the system property '"
					+ name + "' or the environment variable '" + name + "', or give a default as ${" + name + ":default}" );
		}
		return value;
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Secret s && raw.equals( s.raw );
	}

	@Override
	public int hashCode() {
		return Objects.hash( raw );
	}

	@Override
	public String toString() {
		if ( raw.isEmpty() ) {
			return "<empty>";
		}
		Matcher m = REFERENCE.matcher( raw );
		return m.matches() ? "${" + m.group( 1 ) + "}" : "******";
	}
}
