package io.shardwise;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The tenant the current thread works for. {@link ShardwiseTenantResolver} hands it to Hibernate whenever a session
 * is opened without an explicit tenant, so every {@code EntityManager} opened inside {@link #run} or {@link #call}
 * is routed to that tenant's shard.
 *
 * <pre>{@code
 * TenantContext.run("acme", () -> {
 *     EntityManager em = emf.createEntityManager();   // routed to acme's shard
 *     ...
 * });
 * }</pre>
 *
 * Calls nest: the previous tenant is restored afterwards, also when the work throws.
 */
public final class TenantContext {
	private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

	private TenantContext() {
	}

	/** Runs {@code work} as {@code tenantId}, then restores the previous tenant. */
	public static void run(String tenantId, Runnable work) {
		String previous = enter( tenantId );
		try {
			work.run();
		}
		finally {
			restore( previous );
		}
	}

	/** Calls {@code work} as {@code tenantId}, then restores the previous tenant; exceptions pass through unchanged. */
	public static <T> T call(String tenantId, Callable<T> work) throws Exception {
		String previous = enter( tenantId );
		try {
			return work.call();
		}
		finally {
			restore( previous );
		}
	}

	/** Like {@link #call} for work that throws no checked exception. */
	public static <T> T get(String tenantId, java.util.function.Supplier<T> work) {
		String previous = enter( tenantId );
		try {
			return work.get();
		}
		finally {
			restore( previous );
		}
	}

	/** The tenant of the current thread, if any. */
	public static Optional<String> current() {
		return Optional.ofNullable( CURRENT.get() );
	}

	/** The tenant of the current thread, or {@code null}. */
	public static String currentOrNull() {
		return CURRENT.get();
	}

	private static String enter(String tenantId) {
		TenantIds.validate( tenantId );
		String previous = CURRENT.get();
		CURRENT.set( tenantId );
		return previous;
	}

	private static void restore(String previous) {
		if ( previous == null ) {
			CURRENT.remove();
		}
		else {
			CURRENT.set( previous );
		}
	}
}
