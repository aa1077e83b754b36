package io.shardwise.hazelcast;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Runs {@link ForkedMember} in a child JVM on the test class path; {@link #close()} kills it. */
final class ForkedMemberProcess implements AutoCloseable {
	private final Process process;
	private final Writer stdin;
	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

	ForkedMemberProcess(Map<String, Object> settings) throws IOException {
		List<String> command = new ArrayList<>();
		command.add( System.getProperty( "java.home" ) + File.separator + "bin" + File.separator + "java" );
		command.add( "-Xmx256m" );
		command.add( "-Dhazelcast.phone.home.enabled=false" );
		command.add( "-Dhazelcast.logging.type=slf4j" );
		command.add( "-Dhazelcast.wait.seconds.before.join=0" );
		command.add( "-cp" );
		command.add( System.getProperty( "java.class.path" ) );
		command.add( ForkedMember.class.getName() );
		settings.forEach( (k, v) -> command.add( k + "=" + v ) );
		process = new ProcessBuilder( command ).redirectErrorStream( true ).start();
		stdin = new OutputStreamWriter( process.getOutputStream(), StandardCharsets.UTF_8 );
		Thread reader = new Thread( () -> {
			try ( BufferedReader out = new BufferedReader( new InputStreamReader( process.getInputStream(), StandardCharsets.UTF_8 ) ) ) {
				for ( String line = out.readLine(); line != null; line = out.readLine() ) {
					lines.add( line );
				}
			}
			catch (IOException e) {
				// the process ended
			}
		}, "forked-member-output" );
		reader.setDaemon( true );
		reader.start();
	}

	/** Waits for a line starting with one of {@code prefixes} (other output is echoed); fails after {@code timeout}. */
	String expect(Duration timeout, String... prefixes) throws InterruptedException {
		String prefix = String.join( "' or '", prefixes );
		long deadline = System.nanoTime() + timeout.toNanos();
		while ( true ) {
			String line = lines.poll( Math.max( 1, deadline - System.nanoTime() ), TimeUnit.NANOSECONDS );
			if ( line == null ) {
				throw new AssertionError( "the forked member did not print '" + prefix + "' within " + timeout
						+ " (alive: " + process.isAlive() + ")" );
			}
			for ( String p : prefixes ) {
				if ( line.startsWith( p ) ) {
					return line;
				}
			}
			System.out.println( "[forked member] " + line );
		}
	}

	String command(String line, String... answerPrefixes) throws IOException, InterruptedException {
		stdin.write( line + "\n" );
		stdin.flush();
		return expect( Duration.ofSeconds( 30 ), answerPrefixes );
	}

	/** Kills the JVM at once (SIGKILL): no graceful leave, no partition hand-over. */
	void kill() throws InterruptedException {
		process.destroyForcibly();
		process.waitFor( 30, TimeUnit.SECONDS );
	}

	@Override
	public void close() throws InterruptedException {
		if ( process.isAlive() ) {
			kill();
		}
	}
}
