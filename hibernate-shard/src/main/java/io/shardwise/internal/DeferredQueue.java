package io.shardwise.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.sql.DataSource;

import org.hibernate.JDBCException;
import org.hibernate.Session;
import org.hibernate.Transaction;
import org.hibernate.exception.JDBCConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import io.shardwise.DeferredEntry;
import io.shardwise.DeferredHandler;
import io.shardwise.DeferredWrites;
import io.shardwise.ShardEvent;
import io.shardwise.ShardOfflineException;
import io.shardwise.ShardSaturatedException;
import io.shardwise.ShardUnavailableException;
import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.TenantIds;
import io.shardwise.UnknownTenantException;
import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.topology.Secret;
import io.shardwise.topology.ShardRole;
import io.shardwise.topology.TenantPlacement;

/**
 * The catalog-backed implementation of {@link DeferredWrites}; see there for the guarantees.
 * <p>
 * Catalog table ({@code <prefix>deferred}, prefix of the JDBC catalog store, default {@code shardwise_}):
 * {@code seq} (identity, primary key: the order), {@code id} (UUID, unique), {@code tenant_id}, {@code handler},
 * {@code payload}, {@code status} (PENDING, PARKED), {@code attempts}, {@code last_error}, {@code created_at},
 * {@code updated_at}; indexed on {@code (tenant_id, seq)}. Shard table: {@code shardwise_deferred_applied
 * (entry_id varchar(36) primary key, applied_at timestamp)}, created on first replay to the shard.
 * <p>
 * The catalog is the JDBC topology store's data source; with another topology store, {@code shardwise.catalog.url}
 * (and user, password) name the database and a small pool of its own is opened.
 */
public final class DeferredQueue implements DeferredWrites, AutoCloseable {
	private static final Logger LOG = LoggerFactory.getLogger( DeferredQueue.class );
	private static final Pattern HANDLER_NAME = Pattern.compile( "[A-Za-z0-9._-]{1,128}" );
	static final String APPLIED_TABLE = "shardwise_deferred_applied";
	private static final int MAX_ERROR = 2000;
	/** How often one member purges a shard's old applied markers, and how many it reads per round. */
	private static final Duration PURGE_EVERY = Duration.ofHours( 1 );
	private static final int PURGE_BATCH = 500;
	private static final int PURGE_ROUNDS = 20;

	private final ShardwiseRuntime runtime;
	private final DataSource catalog;
	private final HikariDataSource ownedPool;
	private final String table;
	private final int maxAttempts;
	private final Duration markerRetention;
	private final Clock clock;
	/** By shard name: when this member last purged its applied markers (clock millis). */
	private final Map<String, Long> lastPurge = new ConcurrentHashMap<>();
	private final Map<String, DeferredHandler> handlers = new ConcurrentHashMap<>();
	private volatile Function<String, Session> sessions;
	private final ExecutorService replayer;
	private final ScheduledFuture<?> sweep;
	private final AutoCloseable listener;
	private final Object replayLock = new Object();
	private volatile boolean closed;

	private DeferredQueue(ShardwiseRuntime runtime, DataSource catalog, HikariDataSource ownedPool, String prefix,
			FaultToleranceConfig config) {
		this.runtime = runtime;
		this.catalog = catalog;
		this.ownedPool = ownedPool;
		this.table = prefix + "deferred";
		this.maxAttempts = config.deferredMaxAttempts();
		this.markerRetention = config.deferredMarkerRetention();
		this.clock = config.clock();
		createTable();
		this.replayer = Executors.newSingleThreadExecutor( r -> {
			Thread t = new Thread( r, "shardwise-deferred-replay" );
			t.setDaemon( true );
			return t;
		} );
		this.listener = runtime.faultTolerance().addListener( this::onEvent );
		long every = config.deferredReplayInterval().toMillis();
		this.sweep = every <= 0 ? null : runtime.faultTolerance().scheduler().scheduleWithFixedDelay(
				() -> replayAsync( null ), every, every, TimeUnit.MILLISECONDS );
	}

	/** Opens the queue in the catalog of the runtime's JDBC store, or of {@code shardwise.catalog.url}. */
	static DeferredQueue start(ShardwiseRuntime runtime, Map<String, Object> settings) {
		FaultToleranceConfig config = runtime.faultTolerance().config();
		if ( runtime.store() instanceof JdbcCatalogTopologyStore jdbc ) {
			return new DeferredQueue( runtime, jdbc.dataSource(), null, jdbc.tablePrefix(), config );
		}
		Settings s = new Settings( settings );
		if ( !s.has( ShardwiseSettings.CATALOG_URL ) ) {
			throw new ShardwiseConfigurationException( "deferred writes are stored in the catalog database, but the topology store "
					+ runtime.store().getClass().getSimpleName() + " has none and property '" + ShardwiseSettings.CATALOG_URL
					+ "' is not set: use " + ShardwiseSettings.TOPOLOGY_STORE + "=jdbc, or set " + ShardwiseSettings.CATALOG_URL
					+ " (and " + ShardwiseSettings.CATALOG_USER + ", " + ShardwiseSettings.CATALOG_PASSWORD + ")" );
		}
		HikariConfig hc = new HikariConfig();
		hc.setPoolName( "shardwise-deferred" );
		hc.setJdbcUrl( s.string( ShardwiseSettings.CATALOG_URL, null ) );
		hc.setUsername( s.string( ShardwiseSettings.CATALOG_USER, "" ) );
		Object pw = s.object( ShardwiseSettings.CATALOG_PASSWORD );
		hc.setPassword( pw instanceof Secret secret ? secret.reveal() : Secret.of( pw == null ? null : pw.toString() ).reveal() );
		hc.setMaximumPoolSize( 3 );
		hc.setMinimumIdle( 0 );
		HikariDataSource pool = new HikariDataSource( hc );
		try {
			return new DeferredQueue( runtime, pool, pool, s.string( ShardwiseSettings.CATALOG_TABLE_PREFIX,
					JdbcCatalogTopologyStore.DEFAULT_TABLE_PREFIX ), config );
		}
		catch (RuntimeException e) {
			pool.close();
			throw e;
		}
	}

	/** How replays open a session of a tenant (set by the API facade, which knows the SessionFactory). */
	public DeferredQueue sessions(Function<String, Session> opener) {
		this.sessions = opener;
		return this;
	}

	// ---------------------------------------------------------------- catalog table

	private void createTable() {
		try ( Connection c = catalog.getConnection(); Statement st = c.createStatement() ) {
			String product = c.getMetaData().getDatabaseProductName().toLowerCase( Locale.ROOT );
			boolean maria = product.contains( "mariadb" ) || product.contains( "mysql" );
			String seq = maria ? "seq bigint not null auto_increment primary key"
					: "seq bigint generated by default as identity primary key";
			String text = product.contains( "postgres" ) ? "text" : maria ? "mediumtext" : "varchar(1000000)";
			st.execute( "create table if not exists " + table + " (" + seq + ", id varchar(36) not null unique,"
					+ " tenant_id varchar(128) not null, handler varchar(128) not null, payload " + text + ","
					+ " status varchar(16) not null, attempts integer not null, last_error varchar(" + MAX_ERROR + "),"
					+ " created_at timestamp not null, updated_at timestamp not null)" );
			st.execute( "create index if not exists " + table + "_tenant_idx on " + table + " (tenant_id, seq)" );
			if ( !c.getAutoCommit() ) {
				c.commit();
			}
		}
		catch (SQLException e) {
			throw new ShardwiseException( "could not create the deferred-write table " + table + " in the catalog: " + e.getMessage(), e );
		}
	}

	// ---------------------------------------------------------------- API

	@Override
	public void registerHandler(String name, DeferredHandler handler) {
		checkHandlerName( name );
		handlers.put( name, Checks.notNull( handler, "handler" ) );
	}

	private static void checkHandlerName(String name) {
		if ( name == null || !HANDLER_NAME.matcher( name ).matches() ) {
			throw new IllegalArgumentException( "deferred handler name must be 1 to 128 letters, digits, '.', '_' or '-', but was "
					+ Checks.quote( name ) );
		}
	}

	@Override
	public String submit(String tenantId, String handler, String payload) {
		TenantIds.validate( tenantId );
		checkHandlerName( handler );
		Optional<TenantPlacement> placement = runtime.placement( tenantId );
		if ( placement.isEmpty() ) {
			throw new UnknownTenantException( "cannot defer work for tenant " + Checks.quote( tenantId )
					+ ": it has no placement in the topology; provision it first" );
		}
		String id = UUID.randomUUID().toString();
		Timestamp now = Timestamp.from( Instant.now() );
		try ( Connection c = catalog.getConnection();
				PreparedStatement ps = c.prepareStatement( "insert into " + table
						+ " (id, tenant_id, handler, payload, status, attempts, created_at, updated_at) values (?, ?, ?, ?, 'PENDING', 0, ?, ?)" ) ) {
			ps.setString( 1, id );
			ps.setString( 2, tenantId );
			ps.setString( 3, handler );
			ps.setString( 4, payload );
			ps.setTimestamp( 5, now );
			ps.setTimestamp( 6, now );
			ps.executeUpdate();
			if ( !c.getAutoCommit() ) {
				c.commit();
			}
		}
		catch (SQLException e) {
			throw new ShardwiseException( "could not store the deferred write of tenant " + Checks.quote( tenantId ) + " (handler '"
					+ handler + "') in the catalog table " + table + ": " + e.getMessage() + "; nothing was queued", e );
		}
		if ( primaryClosed( placement.get().shard() ) ) {
			replayAsync( tenantId );
		}
		return id;
	}

	@Override
	public List<DeferredEntry> pending(String tenantId) {
		TenantIds.validate( tenantId );
		return query( "where tenant_id = ? and status = 'PENDING' order by seq", tenantId );
	}

	@Override
	public long pendingCount() {
		try ( Connection c = catalog.getConnection(); Statement st = c.createStatement();
				ResultSet rs = st.executeQuery( "select count(*) from " + table + " where status = 'PENDING'" ) ) {
			rs.next();
			return rs.getLong( 1 );
		}
		catch (SQLException e) {
			throw new ShardwiseException( "could not count the deferred writes in " + table + ": " + e.getMessage(), e );
		}
	}

	@Override
	public List<DeferredEntry> parked() {
		return query( "where status = 'PARKED' order by seq", null );
	}

	@Override
	public boolean requeue(String entryId) {
		return execute( "update " + table + " set status = 'PENDING', attempts = 0, updated_at = ? where id = ? and status = 'PARKED'",
				entryId, Timestamp.from( Instant.now() ), entryId ) > 0;
	}

	@Override
	public boolean discard(String entryId) {
		return execute( "delete from " + table + " where id = ?", entryId, entryId ) > 0;
	}

	private int execute(String sql, String entryId, Object... params) {
		try ( Connection c = catalog.getConnection(); PreparedStatement ps = c.prepareStatement( sql ) ) {
			for ( int i = 0; i < params.length; i++ ) {
				ps.setObject( i + 1, params[i] );
			}
			int n = ps.executeUpdate();
			if ( !c.getAutoCommit() ) {
				c.commit();
			}
			return n;
		}
		catch (SQLException e) {
			throw new ShardwiseException( "could not update deferred entry " + Checks.quote( entryId ) + " in " + table + ": " + e.getMessage(), e );
		}
	}

	private List<DeferredEntry> query(String where, String tenantId) {
		try ( Connection c = catalog.getConnection();
				PreparedStatement ps = c.prepareStatement( "select id, seq, tenant_id, handler, payload, status, attempts, last_error,"
						+ " created_at from " + table + " " + where ) ) {
			if ( tenantId != null ) {
				ps.setString( 1, tenantId );
			}
			List<DeferredEntry> out = new ArrayList<>();
			try ( ResultSet rs = ps.executeQuery() ) {
				while ( rs.next() ) {
					out.add( new DeferredEntry( rs.getString( 1 ), rs.getLong( 2 ), rs.getString( 3 ), rs.getString( 4 ),
							rs.getString( 5 ), rs.getString( 6 ), rs.getInt( 7 ), rs.getString( 8 ), rs.getTimestamp( 9 ).toInstant() ) );
				}
			}
			return out;
		}
		catch (SQLException e) {
			throw new ShardwiseException( "could not read the deferred writes in " + table + ": " + e.getMessage(), e );
		}
	}

	// ---------------------------------------------------------------- replay

	private void onEvent(ShardEvent event) {
		if ( event instanceof ShardEvent.BreakerStateChanged b && b.role() == ShardRole.WRITE && "CLOSED".equals( b.to() ) ) {
			replayAsync( null );
		}
	}

	private void replayAsync(String tenantId) {
		if ( closed ) {
			return;
		}
		try {
			replayer.execute( () -> {
				try {
					if ( tenantId == null ) {
						replayNow();
					}
					else {
						synchronized ( replayLock ) {
							replayTenant( tenantId );
						}
					}
				}
				catch (RuntimeException e) {
					LOG.warn( "Replay of deferred writes failed; it is tried again later", e );
				}
			} );
		}
		catch (RejectedExecutionException e) {
			// closing
		}
	}

	@Override
	public int replayNow() {
		if ( sessions == null ) {
			throw new ShardwiseException( "deferred writes cannot be replayed before the persistence unit has booted" );
		}
		synchronized ( replayLock ) {
			List<String> tenants = new ArrayList<>();
			try ( Connection c = catalog.getConnection(); Statement st = c.createStatement();
					ResultSet rs = st.executeQuery( "select tenant_id, min(seq) from " + table
							+ " where status = 'PENDING' group by tenant_id order by min(seq)" ) ) {
				while ( rs.next() ) {
					tenants.add( rs.getString( 1 ) );
				}
			}
			catch (SQLException e) {
				throw new ShardwiseException( "could not read the deferred writes in " + table + ": " + e.getMessage(), e );
			}
			int applied = 0;
			for ( String t : tenants ) {
				if ( closed ) {
					break;
				}
				applied += replayTenant( t );
			}
			return applied;
		}
	}

	private boolean primaryClosed(String shard) {
		try {
			for ( PoolGuard g : runtime.requireHandle( shard ).guards() ) {
				if ( g.role() == ShardRole.WRITE ) {
					return g.state() == CircuitBreaker.State.CLOSED;
				}
			}
		}
		catch (RuntimeException e) {
			return false;
		}
		return false;
	}

	private enum Outcome { APPLIED, ALREADY_APPLIED, SHARD_DOWN, NO_HANDLER, FAILED }

	/** Applies a tenant's pending entries in order; returns how many it applied. */
	private int replayTenant(String tenantId) {
		Optional<TenantPlacement> placement = runtime.placement( tenantId );
		if ( placement.isEmpty() || !primaryClosed( placement.get().shard() ) ) {
			return 0;
		}
		List<DeferredEntry> entries = pending( tenantId );
		if ( entries.isEmpty() ) {
			return 0;
		}
		if ( !prepareShard( tenantId ) ) {
			return 0;
		}
		purgeMarkersIfDue( tenantId, placement.get().shard() );
		int applied = 0;
		for ( DeferredEntry e : entries ) {
			Outcome outcome;
			Exception failure = null;
			try {
				outcome = apply( e );
			}
			catch (Exception ex) {
				failure = ex;
				outcome = shardDown( ex ) ? Outcome.SHARD_DOWN : Outcome.FAILED;
			}
			switch ( outcome ) {
				case APPLIED, ALREADY_APPLIED -> {
					delete( e.id() );
					if ( outcome == Outcome.APPLIED ) {
						applied++;
					}
				}
				case SHARD_DOWN -> {
					LOG.info( "Replay of tenant '{}' stopped: its shard is unavailable ({})", tenantId, failure == null ? "" : failure.getMessage() );
					return applied;
				}
				case NO_HANDLER -> {
					LOG.warn( "Deferred entry {} of tenant '{}' names handler '{}', which is not registered on this member: "
							+ "left for a member that has it", e.id(), tenantId, e.handler() );
					return applied;
				}
				case FAILED -> {
					if ( recordFailure( e, failure ) ) {
						continue; // parked: no longer holds the tenant's later entries back
					}
					return applied;
				}
			}
		}
		return applied;
	}

	/** Creates the applied-marker table on the tenant's shard if it is missing. */
	private boolean prepareShard(String tenantId) {
		try ( Session s = sessions.apply( tenantId ) ) {
			s.doWork( c -> {
				try ( Statement st = c.createStatement() ) {
					st.execute( "create table if not exists " + APPLIED_TABLE
							+ " (entry_id varchar(36) not null primary key, applied_at timestamp not null)" );
				}
				if ( !c.getAutoCommit() ) {
					c.commit();
				}
			} );
			return true;
		}
		catch (RuntimeException e) {
			if ( !shardDown( e ) ) {
				LOG.warn( "Could not create {} on the shard of tenant '{}'", APPLIED_TABLE, tenantId, e );
			}
			return false;
		}
	}

	/**
	 * Deletes the shard's applied markers that are older than the retention and whose entry is no longer in the
	 * catalog (at most once per {@link #PURGE_EVERY} per shard on this member). A marker whose entry is still queued
	 * (applied on the shard, not yet deleted from the catalog: a member died in between) is kept, whatever its age.
	 */
	private void purgeMarkersIfDue(String tenantId, String shard) {
		long now = clock.millis();
		Long last = lastPurge.get( shard );
		if ( last != null && now - last < PURGE_EVERY.toMillis() ) {
			return;
		}
		lastPurge.put( shard, now );
		Timestamp cutoff = Timestamp.from( clock.instant().minus( markerRetention ) );
		try ( Session s = sessions.apply( tenantId ) ) {
			int deleted = s.doReturningWork( c -> {
				int total = 0;
				for ( int round = 0; round < PURGE_ROUNDS; round++ ) {
					List<String> old = new ArrayList<>();
					try ( PreparedStatement ps = c.prepareStatement( "select entry_id from " + APPLIED_TABLE
							+ " where applied_at < ? order by applied_at" ) ) {
						ps.setTimestamp( 1, cutoff );
						ps.setMaxRows( PURGE_BATCH );
						try ( ResultSet rs = ps.executeQuery() ) {
							while ( rs.next() ) {
								old.add( rs.getString( 1 ) );
							}
						}
					}
					List<String> gone = new ArrayList<>( old );
					gone.removeAll( stillQueued( old ) );
					try ( PreparedStatement ps = c.prepareStatement( "delete from " + APPLIED_TABLE + " where entry_id = ?" ) ) {
						for ( String id : gone ) {
							ps.setString( 1, id );
							ps.addBatch();
						}
						if ( !gone.isEmpty() ) {
							ps.executeBatch();
						}
					}
					if ( !c.getAutoCommit() ) {
						c.commit();
					}
					total += gone.size();
					if ( old.size() < PURGE_BATCH || gone.isEmpty() ) {
						break;
					}
				}
				return total;
			} );
			if ( deleted > 0 ) {
				LOG.info( "Purged {} applied-entry markers older than {} from {} on shard '{}'", deleted, markerRetention,
						APPLIED_TABLE, shard );
			}
		}
		catch (RuntimeException e) {
			LOG.warn( "Could not purge old markers from {} on shard '{}' (next try in {})", APPLIED_TABLE, shard, PURGE_EVERY, e );
		}
	}

	/** Of these entry ids, those still in the catalog queue (pending or parked). */
	private List<String> stillQueued(List<String> ids) throws SQLException {
		List<String> queued = new ArrayList<>();
		if ( ids.isEmpty() ) {
			return queued;
		}
		try ( Connection c = catalog.getConnection() ) {
			for ( int from = 0; from < ids.size(); from += 100 ) {
				List<String> chunk = ids.subList( from, Math.min( ids.size(), from + 100 ) );
				String marks = String.join( ", ", java.util.Collections.nCopies( chunk.size(), "?" ) );
				try ( PreparedStatement ps = c.prepareStatement( "select id from " + table + " where id in (" + marks + ")" ) ) {
					for ( int i = 0; i < chunk.size(); i++ ) {
						ps.setString( i + 1, chunk.get( i ) );
					}
					try ( ResultSet rs = ps.executeQuery() ) {
						while ( rs.next() ) {
							queued.add( rs.getString( 1 ) );
						}
					}
				}
			}
		}
		return queued;
	}

	private Outcome apply(DeferredEntry e) throws Exception {
		DeferredHandler handler = handlers.get( e.handler() );
		if ( handler == null ) {
			return Outcome.NO_HANDLER;
		}
		try ( Session s = sessions.apply( e.tenantId() ) ) {
			Transaction tx = s.beginTransaction();
			try {
				boolean done = s.doReturningWork( c -> {
					try ( PreparedStatement ps = c.prepareStatement( "select 1 from " + APPLIED_TABLE + " where entry_id = ?" ) ) {
						ps.setString( 1, e.id() );
						try ( ResultSet rs = ps.executeQuery() ) {
							return rs.next();
						}
					}
				} );
				if ( done ) {
					tx.rollback();
					return Outcome.ALREADY_APPLIED;
				}
				handler.apply( s, e.tenantId(), e.payload() );
				s.flush();
				s.doWork( c -> {
					try ( PreparedStatement ps = c.prepareStatement( "insert into " + APPLIED_TABLE + " (entry_id, applied_at) values (?, ?)" ) ) {
						ps.setString( 1, e.id() );
						ps.setTimestamp( 2, Timestamp.from( clock.instant() ) );
						ps.executeUpdate();
					}
				} );
				tx.commit();
				return Outcome.APPLIED;
			}
			catch (JDBCException ex) {
				rollbackQuietly( tx );
				if ( isUniqueViolation( ex.getSQLException() ) ) {
					return Outcome.ALREADY_APPLIED; // another member applied it concurrently
				}
				throw ex;
			}
			catch (Exception | Error ex) {
				rollbackQuietly( tx );
				throw ex;
			}
		}
	}

	private static void rollbackQuietly(Transaction tx) {
		try {
			if ( tx.isActive() ) {
				tx.rollback();
			}
		}
		catch (RuntimeException ignored) {
			// the connection may be gone; the database rolls back
		}
	}

	private static boolean isUniqueViolation(SQLException e) {
		for ( SQLException x = e; x != null; x = x.getNextException() ) {
			String state = x.getSQLState();
			if ( "23505".equals( state ) || ( state != null && state.startsWith( "23" ) && x.getErrorCode() == 1062 ) ) {
				return true;
			}
		}
		return false;
	}

	/** Whether a failure means the shard (not the entry) is the problem: retried later without counting an attempt. */
	static boolean shardDown(Throwable t) {
		for ( Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause() ) {
			if ( x instanceof ShardUnavailableException || x instanceof ShardSaturatedException || x instanceof ShardOfflineException
					|| x instanceof JDBCConnectionException || x instanceof SQLTransientConnectionException
					|| x instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith( "08" ) ) {
				return true;
			}
		}
		return false;
	}

	private void delete(String id) {
		execute( "delete from " + table + " where id = ?", id, id );
	}

	/** Counts a failed attempt; returns whether the entry is now parked. */
	private boolean recordFailure(DeferredEntry e, Exception failure) {
		int attempts = e.attempts() + 1;
		boolean park = attempts >= maxAttempts;
		String error = failure == null ? "unknown" : failure.getClass().getName() + ": " + failure.getMessage();
		if ( error.length() > MAX_ERROR ) {
			error = error.substring( 0, MAX_ERROR );
		}
		try ( Connection c = catalog.getConnection(); PreparedStatement ps = c.prepareStatement( "update " + table
				+ " set attempts = ?, last_error = ?, status = ?, updated_at = ? where id = ?" ) ) {
			ps.setInt( 1, attempts );
			ps.setString( 2, error );
			ps.setString( 3, park ? "PARKED" : "PENDING" );
			ps.setTimestamp( 4, Timestamp.from( Instant.now() ) );
			ps.setString( 5, e.id() );
			ps.executeUpdate();
			if ( !c.getAutoCommit() ) {
				c.commit();
			}
		}
		catch (SQLException ex) {
			LOG.warn( "Could not record the failure of deferred entry {}", e.id(), ex );
			return false;
		}
		if ( park ) {
			LOG.warn( "Deferred entry {} of tenant '{}' (handler '{}') parked after {} failed attempts: {}", e.id(), e.tenantId(),
					e.handler(), attempts, error );
		}
		return park;
	}

	@Override
	public void close() {
		closed = true;
		if ( sweep != null ) {
			sweep.cancel( false );
		}
		try {
			listener.close();
		}
		catch (Exception ignored) {
			// a list removal
		}
		replayer.shutdownNow();
		if ( ownedPool != null ) {
			ownedPool.close();
		}
	}
}
