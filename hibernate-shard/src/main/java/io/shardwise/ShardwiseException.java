package io.shardwise;

import org.hibernate.HibernateException;

/**
 * Base of every exception Shardwise raises. It is a {@link HibernateException} and so a
 * {@link jakarta.persistence.PersistenceException}: JPA code that already handles persistence errors handles these.
 */
public class ShardwiseException extends HibernateException {
	public ShardwiseException(String message) {
		super( message );
	}

	public ShardwiseException(String message, Throwable cause) {
		super( message, cause );
	}
}
