package io.shardwise.internal.query;

import java.util.Comparator;

/**
 * How a database orders and compares character strings, as far as the merger can reproduce it.
 */
enum StringOrder {
	/** By Unicode code point (PostgreSQL with the C, POSIX or C.UTF-8 collation: byte order of UTF-8). */
	CODE_POINT( true, true ),
	/** By UTF-16 code unit ({@link String#compareTo}; H2 with its default collation OFF). */
	UTF16( true, true ),
	/** Not reproducible (a linguistic collation), but equal strings are exactly the equal byte sequences. */
	EQUALITY_ONLY( false, true ),
	/** Unknown: neither order nor equality (which may ignore case) is reproducible. */
	UNKNOWN( false, false );

	private final boolean ordered;
	private final boolean binaryEquality;

	StringOrder(boolean ordered, boolean binaryEquality) {
		this.ordered = ordered;
		this.binaryEquality = binaryEquality;
	}

	/** Whether the merger can order strings as the database does. */
	boolean ordered() {
		return ordered;
	}

	/** Whether two strings are equal in the database exactly when {@link String#equals} says so. */
	boolean binaryEquality() {
		return binaryEquality;
	}

	Comparator<String> comparator() {
		return switch ( this ) {
			case CODE_POINT -> StringOrder::compareCodePoints;
			case UTF16 -> String::compareTo;
			default -> throw new IllegalStateException( "strings cannot be ordered under " + this );
		};
	}

	static int compareCodePoints(String a, String b) {
		int i = 0;
		int j = 0;
		while ( i < a.length() && j < b.length() ) {
			int ca = a.codePointAt( i );
			int cb = b.codePointAt( j );
			if ( ca != cb ) {
				return Integer.compare( ca, cb );
			}
			i += Character.charCount( ca );
			j += Character.charCount( cb );
		}
		return Boolean.compare( i < a.length(), j < b.length() );
	}
}
