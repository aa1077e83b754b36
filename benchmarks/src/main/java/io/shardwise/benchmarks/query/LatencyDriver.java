package io.shardwise.benchmarks.query;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A JDBC driver that adds a fixed latency to every query of a real database: {@code jdbc:latency:<ms>:<real url>}.
 * It stands for the network round trip and remote database time of a shard (which embedded H2 on this machine does
 * not have), so that the fan-out benchmark measures how parallel shard queries overlap rather than how two CPU cores
 * share eight in-process databases.
 */
public final class LatencyDriver implements Driver {
	private static final String PREFIX = "jdbc:latency:";
	private static volatile boolean registered;

	/** Registers the driver with {@link DriverManager} (once). */
	public static synchronized void register() throws SQLException {
		if ( !registered ) {
			DriverManager.registerDriver( new LatencyDriver() );
			registered = true;
		}
	}

	/** The URL of {@code realUrl} with {@code millis} of latency per query. */
	public static String url(int millis, String realUrl) {
		return PREFIX + millis + ":" + realUrl;
	}

	@Override
	public Connection connect(String url, Properties info) throws SQLException {
		if ( !acceptsURL( url ) ) {
			return null;
		}
		String rest = url.substring( PREFIX.length() );
		int colon = rest.indexOf( ':' );
		long millis = Long.parseLong( rest.substring( 0, colon ) );
		Connection real = DriverManager.getConnection( rest.substring( colon + 1 ), info );
		return (Connection) Proxy.newProxyInstance( LatencyDriver.class.getClassLoader(), new Class<?>[] { Connection.class },
				new Delegate( real, millis, true ) );
	}

	@Override
	public boolean acceptsURL(String url) {
		return url != null && url.startsWith( PREFIX );
	}

	@Override
	public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
		return new DriverPropertyInfo[0];
	}

	@Override
	public int getMajorVersion() {
		return 1;
	}

	@Override
	public int getMinorVersion() {
		return 0;
	}

	@Override
	public boolean jdbcCompliant() {
		return false;
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		throw new SQLFeatureNotSupportedException();
	}

	private record Delegate(Object target, long millis, boolean connection) implements InvocationHandler {
		@Override
		public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
			String name = method.getName();
			if ( !connection && ( name.equals( "executeQuery" ) || name.equals( "execute" ) ) ) {
				Thread.sleep( millis );
			}
			Object result;
			try {
				result = method.invoke( target, args );
			}
			catch (InvocationTargetException e) {
				throw e.getCause();
			}
			if ( connection && result instanceof PreparedStatement ps && name.startsWith( "prepare" ) ) {
				return Proxy.newProxyInstance( LatencyDriver.class.getClassLoader(),
						new Class<?>[] { method.getReturnType() }, new Delegate( ps, millis, false ) );
			}
			return result;
		}
	}
}
