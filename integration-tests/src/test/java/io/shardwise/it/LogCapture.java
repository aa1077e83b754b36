package io.shardwise.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;

/**
 * Records every log event of the JVM (from any thread) while open, with chosen loggers turned up to DEBUG, so that a
 * test can check what the logs would show. Closing restores the levels.
 */
final class LogCapture implements AutoCloseable {
	private final Logger root = (Logger) LoggerFactory.getLogger( org.slf4j.Logger.ROOT_LOGGER_NAME );
	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
	private final Map<Logger, Level> previousLevels = new LinkedHashMap<>();

	private LogCapture(String... debugLoggers) {
		for ( String name : debugLoggers ) {
			Logger logger = (Logger) LoggerFactory.getLogger( name );
			previousLevels.put( logger, logger.getLevel() );
			logger.setLevel( Level.DEBUG );
		}
		appender.setName( "it-capture" );
		appender.setContext( root.getLoggerContext() );
		appender.start();
		root.addAppender( appender );
	}

	/** Starts recording; the named loggers log at DEBUG until {@link #close()}. */
	static LogCapture start(String... debugLoggers) {
		return new LogCapture( debugLoggers );
	}

	/** The logger name, level, formatted message and any throwable (with its causes and stack) of each event. */
	List<String> texts() {
		List<ILoggingEvent> events;
		synchronized ( appender ) {
			events = new ArrayList<>( appender.list );
		}
		List<String> texts = new ArrayList<>( events.size() );
		for ( ILoggingEvent e : events ) {
			IThrowableProxy thrown = e.getThrowableProxy();
			texts.add( e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage()
					+ ( thrown == null ? "" : "\n" + ThrowableProxyUtil.asString( thrown ) ) );
		}
		return texts;
	}

	@Override
	public void close() {
		root.detachAppender( appender );
		appender.stop();
		previousLevels.forEach( Logger::setLevel );
	}
}
