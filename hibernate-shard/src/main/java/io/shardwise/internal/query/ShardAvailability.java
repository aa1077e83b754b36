package io.shardwise.internal.query;

import java.sql.SQLTimeoutException;
import java.util.List;
import java.util.stream.Collectors;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import io.shardwise.ShardOfflineException;
import io.shardwise.ShardSaturatedException;
import io.shardwise.ShardUnavailableException;
import io.shardwise.TenantUnavailableException;
import io.shardwise.internal.PoolGuard;
import io.shardwise.internal.ShardHandle;
import io.shardwise.query.ShardFailure;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardRole;

/**
 * Whether a shard can be queried at all, decided before a cross-shard query submits anything to it: a shard that is
 * known to be down is reported failed at once, never waited on. That is a shard whose status serves nothing
 * (OFFLINE), or whose circuit breakers refuse every pool a cross-shard session could use (its analytics pool, else
 * its replicas and primary). A breaker that opens while the query runs refuses the acquisition at once with
 * {@link ShardUnavailableException}, a full bulkhead with {@link ShardSaturatedException}: both are reported as
 * {@link ShardFailure.Kind#UNAVAILABLE} too.
 */
final class ShardAvailability {
	private ShardAvailability() {
	}

	/** Why the shard cannot be queried right now, or {@code null} if it can. */
	static String unavailable(ShardHandle handle) {
		Shard shard = handle.shard();
		if ( !shard.status().serves() ) {
			return "shard '" + shard.name() + "' is " + shard.status() + " (v" + shard.version()
					+ "): it serves no sessions; it was not queried";
		}
		List<PoolGuard> guards = handle.guards();
		List<PoolGuard> usable = guards.stream().filter( g -> g.role() == ShardRole.ANALYTICS ).toList();
		if ( usable.isEmpty() ) {
			usable = guards;
		}
		if ( !usable.isEmpty() && usable.stream().allMatch( ShardAvailability::refuses ) ) {
			return "shard '" + shard.name() + "': the circuit breakers of every pool a cross-shard session could use are open ("
					+ usable.stream().map( g -> g.poolName() + " " + g.state() ).collect( Collectors.joining( ", " ) )
					+ "); it was not queried";
		}
		return null;
	}

	private static boolean refuses(PoolGuard g) {
		CircuitBreaker.State s = g.state();
		return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN;
	}

	/** Whether a failure means "the shard is known to be down" rather than "this query failed on it". */
	static boolean isFastUnavailable(Throwable t) {
		for ( Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause() ) {
			if ( c instanceof ShardOfflineException || c instanceof ShardUnavailableException
					|| c instanceof ShardSaturatedException ) {
				return true;
			}
		}
		return false;
	}

	/** The kind of failure an exception of a shard's part means. */
	static ShardFailure.Kind classify(Throwable t) {
		if ( isFastUnavailable( t ) ) {
			return ShardFailure.Kind.UNAVAILABLE;
		}
		for ( Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause() ) {
			if ( c instanceof TenantUnavailableException ) {
				return ShardFailure.Kind.TENANT_UNAVAILABLE;
			}
			if ( c instanceof SQLTimeoutException || c instanceof jakarta.persistence.QueryTimeoutException
					|| c instanceof org.hibernate.QueryTimeoutException
					|| c instanceof java.sql.SQLException s && "57014".equals( s.getSQLState() ) ) {
				return ShardFailure.Kind.TIMEOUT;
			}
		}
		return ShardFailure.Kind.ERROR;
	}
}
