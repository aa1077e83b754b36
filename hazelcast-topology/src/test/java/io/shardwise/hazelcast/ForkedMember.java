package io.shardwise.hazelcast;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import io.shardwise.topology.TenantPlacement;

/**
 * A topology member in its own JVM, for tests: starts a {@link HazelcastTopologyStore} from {@code key=value}
 * arguments, prints {@code READY <address>}, then obeys commands on standard input: {@code move <tenant> <shard>}
 * (a compare-and-set from the version it reads; answers {@code MOVED <version>} or {@code LOST}) and {@code exit}.
 */
public final class ForkedMember {
	private ForkedMember() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, Object> settings = new HashMap<>();
		for ( String arg : args ) {
			int eq = arg.indexOf( '=' );
			settings.put( arg.substring( 0, eq ), arg.substring( eq + 1 ) );
		}
		try ( HazelcastTopologyStore store = HazelcastTopologyStore.create( settings ) ) {
			System.out.println( "READY " + store.hazelcastInstance().getCluster().getLocalMember().getAddress() );
			System.out.flush();
			BufferedReader in = new BufferedReader( new InputStreamReader( System.in, StandardCharsets.UTF_8 ) );
			for ( String line = in.readLine(); line != null; line = in.readLine() ) {
				String[] words = line.trim().split( "\\s+" );
				if ( words[0].equals( "exit" ) ) {
					break;
				}
				if ( words[0].equals( "move" ) ) {
					TenantPlacement current = store.findPlacement( words[1] ).orElseThrow();
					TenantPlacement next = current.movedTo( words[2] );
					System.out.println( store.replacePlacement( current.version(), next ) ? "MOVED " + next.version() : "LOST" );
					System.out.flush();
				}
			}
		}
	}
}
