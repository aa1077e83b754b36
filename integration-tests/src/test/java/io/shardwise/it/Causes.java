package io.shardwise.it;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Looks through the cause chain of what a JPA call threw: Hibernate and JPA wrap Shardwise's exceptions (in
 * {@code PersistenceException}, {@code ServiceException}, ...), so the tests assert on the cause they mean.
 */
final class Causes {
	private Causes() {
	}

	/**
	 * The first throwable of {@code type} in the cause chain of {@code thrown} (itself included).
	 *
	 * @throws AssertionError naming every link of the chain when there is none
	 */
	static <T extends Throwable> T find(Throwable thrown, Class<T> type) {
		Set<Throwable> seen = Collections.newSetFromMap( new IdentityHashMap<>() );
		StringBuilder chain = new StringBuilder();
		for ( Throwable t = thrown; t != null && seen.add( t ); t = t.getCause() ) {
			if ( type.isInstance( t ) ) {
				return type.cast( t );
			}
			chain.append( "\n  " ).append( t );
		}
		throw new AssertionError( "expected a " + type.getName() + " in the cause chain, but it was:" + chain, thrown );
	}

	/** Everything a log or a console would show of a throwable: messages, causes, suppressed, stack frames. */
	static String fullText(Throwable thrown) {
		StringWriter out = new StringWriter();
		thrown.printStackTrace( new PrintWriter( out ) );
		return out.toString();
	}
}
