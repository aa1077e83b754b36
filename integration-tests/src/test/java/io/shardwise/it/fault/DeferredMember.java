package io.shardwise.it.fault;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;

import org.hibernate.Session;

import io.shardwise.DeferredWrites;
import io.shardwise.Shardwise;
import io.shardwise.testing.Note;

/**
 * A second application member in its own JVM, for {@link DeferredWritesPostgreSqlTest}: boots the persistence unit on
 * the shared catalog, submits deferred writes while their shard is down, then (on the command {@code REPLAY} on
 * stdin) replays them and is killed by {@link Runtime#halt} right after the shard commits the entry whose payload is
 * the given one, before the catalog hears of it.
 * <p>
 * Arguments: catalog URL, catalog user, halt payload, then {@code tenant:count} pairs. Prints {@code BOOTED},
 * {@code SUBMITTED <n>}, then dies with exit code {@value #HALTED}.
 */
public final class DeferredMember {
	static final int HALTED = 42;
	static final String HANDLER = "append-note";

	private DeferredMember() {
	}

	/** The handler both members register: a note with the payload as its text, in the tenant's transaction. */
	static void appendNote(EntityManager em, String tenant, String payload) {
		em.persist( new Note( payload ) );
	}

	static Map<String, Object> settings(String catalogUrl, String catalogUser) {
		Map<String, Object> props = new HashMap<>();
		props.put( "shardwise.topology.store", "jdbc" );
		props.put( "shardwise.catalog.url", catalogUrl );
		props.put( "shardwise.catalog.user", catalogUser );
		props.put( "shardwise.metrics.registry", "none" );
		props.put( "shardwise.pool.maximum-size", "3" );
		props.put( "shardwise.pool.minimum-idle", "0" );
		props.put( "shardwise.pool.connection-timeout", "500ms" );
		props.put( "shardwise.breaker.wait-in-open", "10m" );
		props.put( "shardwise.health.interval", "0" );
		props.put( "shardwise.deferred.replay-interval", "0" );
		props.put( "shardwise.deferred.max-attempts", "2" );
		props.put( "jakarta.persistence.schema-generation.database.action", "none" );
		// a member may boot while a shard is down, so Hibernate must not need a connection to learn the dialect
		props.put( "hibernate.dialect", "org.hibernate.dialect.PostgreSQLDialect" );
		props.put( "hibernate.boot.allow_jdbc_metadata_access", "false" );
		return props;
	}

	public static void main(String[] args) throws Exception {
		String haltPayload = args[2];
		EntityManagerFactory emf = Persistence.createEntityManagerFactory( "shardwise-core-test", settings( args[0], args[1] ) );
		Shardwise shardwise = Shardwise.of( emf );
		DeferredWrites deferred = shardwise.deferred();
		deferred.registerHandler( HANDLER, (em, tenant, payload) -> {
			appendNote( em, tenant, payload );
			if ( payload.equals( haltPayload ) ) {
				em.unwrap( Session.class ).getTransaction().registerSynchronization( new Synchronization() {
					@Override
					public void beforeCompletion() {
					}

					@Override
					public void afterCompletion(int status) {
						if ( status == Status.STATUS_COMMITTED ) {
							// the shard has committed the entry and its applied-marker; the catalog still lists it
							Runtime.getRuntime().halt( HALTED );
						}
					}
				} );
			}
		} );
		System.out.println( "BOOTED" );
		int submitted = 0;
		for ( String pair : List.of( args ).subList( 3, args.length ) ) {
			String tenant = pair.split( ":" )[0];
			int count = Integer.parseInt( pair.split( ":" )[1] );
			for ( int i = 0; i < count; i++ ) {
				deferred.submit( tenant, HANDLER, payload( tenant, i ) );
				submitted++;
			}
		}
		System.out.println( "SUBMITTED " + submitted );
		System.out.flush();
		BufferedReader in = new BufferedReader( new InputStreamReader( System.in, StandardCharsets.UTF_8 ) );
		String line;
		while ( ( line = in.readLine() ) != null ) {
			if ( line.equals( "REPLAY" ) ) {
				shardwise.checkHealth();
				deferred.replayNow();
				System.out.println( "REPLAYED without reaching the halt payload" );
				System.out.flush();
			}
		}
		emf.close();
	}

	static String payload(String tenant, int i) {
		return "deferred " + tenant + " #" + i;
	}
}
