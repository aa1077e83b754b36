package io.shardwise.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;

import io.shardwise.spi.ShardMetricsTracker;
import io.shardwise.topology.PoolSettings;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardRole;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pools {@link PoolFactory} builds, on embedded H2.
 */
class PoolFactoryTest {

	/**
	 * Regression: HikariCP logs the JDBC URL at DEBUG and masks {@code password=} in it, but not H2's
	 * {@code ;PASSWORD=}: a password written into an H2 URL ended up in the log.
	 */
	@Test
	void upperCasePasswordInTheJdbcUrlWasLoggedByHikari() throws SQLException {
		String secret = "Secret-" + UUID.randomUUID();
		String database = "jdbc:h2:mem:pool-factory-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
		// the first connection creates the database with this password
		try ( Connection keepAlive = DriverManager.getConnection( database, "sa", secret ) ) {
			Shard shard = Shard.builder( "h2" ).write( database + ";USER=sa;PASSWORD=" + secret ).build();
			Logger hikari = (Logger) LoggerFactory.getLogger( "com.zaxxer.hikari" );
			Level previous = hikari.getLevel();
			ListAppender<ILoggingEvent> log = new ListAppender<>();
			log.start();
			hikari.addAppender( log );
			hikari.setLevel( Level.DEBUG );
			try ( HikariDataSource pool = new PoolFactory( PoolSettings.DEFAULTS, ShardMetricsTracker.NOOP )
					.create( shard, ShardRole.WRITE, 0, shard.write() );
					Connection c = pool.getConnection() ) {
				assertThat( c.isValid( 1 ) ).as( "the password still reaches H2" ).isTrue();
			}
			finally {
				hikari.detachAppender( log );
				hikari.setLevel( previous );
			}
			List<String> lines = log.list.stream().map( ILoggingEvent::getFormattedMessage ).toList();
			assertThat( lines ).as( "Hikari logged the URL" ).anyMatch( line -> line.contains( "pool-factory-" ) );
			assertThat( lines ).noneMatch( line -> line.contains( secret ) );
		}
	}

	@Test
	void passwordKeysAreSpeltTheWayHikariMasksThem() {
		assertThat( PoolFactory.maskableByHikari( "jdbc:h2:mem:x;USER=sa;PASSWORD=p;MODE=X" ) )
				.isEqualTo( "jdbc:h2:mem:x;USER=sa;password=p;MODE=X" );
		assertThat( PoolFactory.maskableByHikari( "jdbc:postgresql://h/db?user=u&password=p&sslPASSWORD=q" ) )
				.isEqualTo( "jdbc:postgresql://h/db?user=u&password=p&sslpassword=q" );
		assertThat( PoolFactory.maskableByHikari( "jdbc:sqlserver://h;Password=p" ) ).isEqualTo( "jdbc:sqlserver://h;Password=p" );
		assertThat( PoolFactory.maskableByHikari( "jdbc:mariadb://h/db?user=u&Passwords=x" ) )
				.isEqualTo( "jdbc:mariadb://h/db?user=u&Passwords=x" );
		assertThat( PoolFactory.maskableByHikari( "jdbc:h2:mem:PASSWORD=x" ) ).isEqualTo( "jdbc:h2:mem:PASSWORD=x" );
	}
}
