package io.shardwise.store;

import java.util.concurrent.CopyOnWriteArrayList;

import io.shardwise.internal.Checks;
import io.shardwise.spi.TopologyChange;
import io.shardwise.spi.TopologyListener;
import io.shardwise.spi.TopologyStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one topology store, for store implementations. Registration and removal are thread-safe and never
 * block {@link #fire firing}, which calls every listener in registration order on the calling thread.
 * <p>
 * A listener that throws does not stop the others and does not fail the change that was reported (which has already
 * happened): its exception is logged at WARN, with the change described by tenant or shard name and versions only, so
 * no credential ever reaches the log.
 */
public final class TopologyListeners {
	private static final Logger LOG = LoggerFactory.getLogger( TopologyListeners.class );

	private final String owner;
	private final CopyOnWriteArrayList<Registration> registrations = new CopyOnWriteArrayList<>();

	/**
	 * @param owner names the store in log messages, e.g. {@code "JdbcCatalogTopologyStore"}
	 */
	public TopologyListeners(String owner) {
		this.owner = Checks.notBlank( owner, "owner" );
	}

	/** Registers a listener; closing the returned subscription (once or more) removes exactly this registration. */
	public TopologyStore.Subscription add(TopologyListener listener) {
		Registration registration = new Registration( Checks.notNull( listener, "listener" ) );
		registrations.add( registration );
		return registration;
	}

	/** Reports a change to every listener registered now. Never throws because of a listener. */
	public void fire(TopologyChange change) {
		for ( Registration registration : registrations ) {
			try {
				registration.listener.onChange( change );
			}
			catch (Exception e) {
				LOG.warn( "Topology listener {} of {} failed on {}; the change was applied and the other listeners are notified",
						registration.listener, owner, describe( change ), e );
			}
		}
	}

	/** The number of registered listeners. */
	public int size() {
		return registrations.size();
	}

	/** Removes every listener (when the store closes). */
	public void clear() {
		registrations.clear();
	}

	/** A description of a change that names entities and versions only, never endpoints or credentials. */
	static String describe(TopologyChange change) {
		if ( change instanceof TopologyChange.PlacementChanged p ) {
			return "PlacementChanged[tenant " + Checks.quote( p.tenantId() ) + ": "
					+ ( p.before() == null ? "none" : "v" + p.before().version() + " on " + p.before().shard() ) + " -> "
					+ ( p.after() == null ? "none" : "v" + p.after().version() + " on " + p.after().shard() ) + "]";
		}
		if ( change instanceof TopologyChange.ShardChanged s ) {
			return "ShardChanged[shard '" + s.name() + "': "
					+ ( s.before() == null ? "none" : "v" + s.before().version() + " " + s.before().status() ) + " -> "
					+ ( s.after() == null ? "none" : "v" + s.after().version() + " " + s.after().status() ) + "]";
		}
		if ( change instanceof TopologyChange.Invalidated i ) {
			return "Invalidated[" + Checks.quote( i.reason() ) + "]";
		}
		return String.valueOf( change );
	}

	private final class Registration implements TopologyStore.Subscription {
		private final TopologyListener listener;

		private Registration(TopologyListener listener) {
			this.listener = listener;
		}

		@Override
		public void close() {
			registrations.remove( this );
		}
	}
}
