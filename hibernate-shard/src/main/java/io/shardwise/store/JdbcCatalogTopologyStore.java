package io.shardwise.store;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.TenantIds;
import io.shardwise.TopologyException;
import io.shardwise.internal.Checks;
import io.shardwise.internal.PoolFactory;
import io.shardwise.internal.Settings;
import io.shardwise.spi.TopologyChange;
import io.shardwise.spi.TopologyListener;
import io.shardwise.spi.TopologyStore;
import io.shardwise.spi.TopologyStoreChecks;
import io.shardwise.topology.Endpoint;
import io.shardwise.topology.PlacementStatus;
import io.shardwise.topology.Secret;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable topology: shards and placements kept in two tables of a catalog database
 * ({@code shardwise.topology.store=jdbc}). This is the source of truth; caches and the Hazelcast store load from it.
 * <p>
 * Tables (the prefix, {@value #DEFAULT_TABLE_PREFIX} by default, is {@code shardwise.catalog.table-prefix}):
 *
 * <pre>
 * &lt;prefix&gt;shard  (name varchar(64) primary key, status varchar(16), capacity_weight integer, version bigint,
 *                  definition text, updated_at timestamp)
 * &lt;prefix&gt;tenant (tenant_id varchar(128) primary key, shard_name varchar(64) references &lt;prefix&gt;shard(name),
 *                  tier varchar(16), status varchar(16), version bigint, updated_at timestamp)
 * index &lt;prefix&gt;tenant_shard_idx on &lt;prefix&gt;tenant(shard_name)
 * </pre>
 *
 * {@code definition} holds the connection part of a shard as JSON (endpoints, credentials, pool settings) with
 * passwords in their {@linkplain Secret#raw() raw} form: store {@code ${NAME}} references rather than literal
 * passwords, so that the catalog holds no secret. The text type is chosen per database ({@code text} on
 * PostgreSQL, {@code mediumtext} on MariaDB/MySQL, {@code varchar(4000)} where unknown). On MariaDB/MySQL the key
 * columns use the binary collation, so that tenant ids and shard names are case-sensitive everywhere. Missing tables
 * are created at startup when {@code createTables} is set ({@code shardwise.catalog.create-tables}, default true).
 * <p>
 * Every change is one short transaction. A compare-and-set locks the row ({@code select ... for update}), checks its
 * version and runs {@code update ... set ..., version = ? where <key> = ? and version = ?}; of several writers of the
 * same version exactly one wins, in this JVM or any other. {@link #placeIfAbsent} inserts and, when the key exists
 * (SQLState class 23), returns the stored placement. That the shard of a placement exists is checked in the same
 * transaction, and guarded by the foreign key against a concurrent removal. Transactions that the database aborts
 * as deadlock victims or serialization failures (SQLState class 40) are retried up to three times.
 * <p>
 * Listeners hear of the changes made through this instance, after commit; changes made by other JVMs are not
 * reported (the routing cache's TTL bounds how stale they can be). SQL errors become {@link TopologyException}s
 * naming the operation, the tenant or shard and the catalog URL (with any password masked). All values are bound as
 * statement parameters; only the validated table prefix is part of the SQL text.
 */
public class JdbcCatalogTopologyStore implements TopologyStore {
	private static final Logger LOG = LoggerFactory.getLogger( JdbcCatalogTopologyStore.class );

	/** The default prefix of the catalog tables. */
	public static final String DEFAULT_TABLE_PREFIX = "shardwise_";
	/** The name of the connection pool built by {@link #create(Map)}. */
	public static final String POOL_NAME = "shardwise-catalog";
	/** The default size of that pool. */
	public static final int DEFAULT_POOL_SIZE = 5;

	private static final Pattern TABLE_PREFIX = Pattern.compile( "([A-Za-z][A-Za-z0-9_]{0,39})?" );
	private static final ObjectMapper DEFINITIONS = TopologyFormat.lenientJson();
	private static final int IN_LIST_SIZE = 500;
	private static final int ATTEMPTS = 3;

	private final DataSource dataSource;
	private final HikariDataSource ownedPool;
	private final List<String> catalogSecrets;
	private final String tablePrefix;
	private final String shardTable;
	private final String tenantTable;
	private final String catalog;
	private final TopologyListeners listeners = new TopologyListeners( "JdbcCatalogTopologyStore" );
	private volatile boolean closed;

	private final String selectPlacement;
	private final String selectPlacementForUpdate;
	private final String selectPlacements;
	private final String selectTenantIds;
	private final String insertPlacement;
	private final String updatePlacement;
	private final String deletePlacement;
	private final String countPlacementsOnShard;
	private final String sumTiersByShard;
	private final String selectShard;
	private final String selectShardForUpdate;
	private final String selectShards;
	private final String selectShardNames;
	private final String selectShardVersion;
	private final String insertShard;
	private final String updateShard;
	private final String deleteShard;

	/**
	 * A store over the tables named with the {@linkplain #DEFAULT_TABLE_PREFIX default prefix}, created if missing.
	 * The data source stays the caller's: {@link #close()} does not close it.
	 */
	public JdbcCatalogTopologyStore(DataSource dataSource) {
		this( dataSource, DEFAULT_TABLE_PREFIX, true );
	}

	/**
	 * A store over a catalog data source. The data source stays the caller's: {@link #close()} does not close it.
	 *
	 * @param tablePrefix prefix of the table names: empty, or a letter followed by up to 39 letters, digits or '_'
	 * @param createTables whether to create the tables when they are missing (else they must exist)
	 * @throws TopologyException if the catalog cannot be reached, or its tables are missing and not to be created
	 */
	public JdbcCatalogTopologyStore(DataSource dataSource, String tablePrefix, boolean createTables) {
		this( dataSource, tablePrefix, createTables, null, null, List.of() );
	}

	private JdbcCatalogTopologyStore(DataSource dataSource, String tablePrefix, boolean createTables,
			HikariDataSource ownedPool, String knownUrl, List<String> catalogSecrets) {
		this.dataSource = Checks.notNull( dataSource, "dataSource" );
		this.ownedPool = ownedPool;
		this.catalogSecrets = catalogSecrets;
		this.tablePrefix = checkTablePrefix( tablePrefix );
		this.shardTable = this.tablePrefix + "shard";
		this.tenantTable = this.tablePrefix + "tenant";

		String placementColumns = "tenant_id, shard_name, tier, status, version";
		selectPlacement = "select " + placementColumns + " from " + tenantTable + " where tenant_id = ?";
		selectPlacementForUpdate = selectPlacement + " for update";
		selectPlacements = "select " + placementColumns + " from " + tenantTable;
		selectTenantIds = "select tenant_id from " + tenantTable;
		insertPlacement = "insert into " + tenantTable
				+ " (tenant_id, shard_name, tier, status, version, updated_at) values (?, ?, ?, ?, ?, ?)";
		updatePlacement = "update " + tenantTable + " set shard_name = ?, tier = ?, status = ?, version = ?, updated_at = ?"
				+ " where tenant_id = ? and version = ?";
		deletePlacement = "delete from " + tenantTable + " where tenant_id = ? and version = ?";
		countPlacementsOnShard = "select count(*) from " + tenantTable + " where shard_name = ?";
		sumTiersByShard = "select shard_name, tier, count(*) from " + tenantTable + " group by shard_name, tier";
		String shardColumns = "name, status, capacity_weight, version, definition";
		selectShard = "select " + shardColumns + " from " + shardTable + " where name = ?";
		selectShardForUpdate = selectShard + " for update";
		selectShards = "select " + shardColumns + " from " + shardTable;
		selectShardNames = "select name from " + shardTable;
		selectShardVersion = "select version from " + shardTable + " where name = ?";
		insertShard = "insert into " + shardTable
				+ " (name, status, capacity_weight, version, definition, updated_at) values (?, ?, ?, ?, ?, ?)";
		updateShard = "update " + shardTable + " set status = ?, capacity_weight = ?, definition = ?, version = ?,"
				+ " updated_at = ? where name = ? and version = ?";
		deleteShard = "delete from " + shardTable + " where name = ? and version = ?";

		String url = knownUrl;
		try ( Connection connection = dataSource.getConnection() ) {
			DatabaseMetaData metaData = connection.getMetaData();
			url = metaData.getURL() != null ? metaData.getURL() : knownUrl;
			this.catalog = safeUrl( url );
			prepareTables( connection, metaData, createTables );
		}
		catch (SQLException e) {
			throw failure( "open the catalog tables " + shardTable + " and " + tenantTable, e, safeUrl( url ), List.of() );
		}
	}

	/**
	 * Builds a store with its own small HikariCP pool (named {@value #POOL_NAME}), from the settings
	 * {@link ShardwiseSettings#CATALOG_URL} (required), {@link ShardwiseSettings#CATALOG_USER},
	 * {@link ShardwiseSettings#CATALOG_PASSWORD} (a literal or a {@code ${NAME}} reference),
	 * {@link ShardwiseSettings#CATALOG_TABLE_PREFIX}, {@link ShardwiseSettings#CATALOG_CREATE_TABLES} and
	 * {@link ShardwiseSettings#CATALOG_POOL_SIZE}. {@link #close()} closes the pool.
	 *
	 * @throws ShardwiseConfigurationException if a setting is missing or invalid
	 * @throws TopologyException if the catalog cannot be reached or prepared
	 */
	public static JdbcCatalogTopologyStore create(Map<String, ?> settings) {
		Settings s = new Settings( Checks.notNull( settings, "settings" ) );
		String url = s.requiredString( ShardwiseSettings.CATALOG_URL, "the jdbc topology store keeps the topology in a "
				+ "catalog database; give its JDBC URL, e.g. jdbc:postgresql://catalog-host/shardwise" );
		String safeUrl;
		try {
			safeUrl = Endpoint.of( url ).safeUrl();
		}
		catch (IllegalArgumentException e) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.CATALOG_URL + "' must be a JDBC URL "
					+ "starting with 'jdbc:', e.g. jdbc:postgresql://catalog-host/shardwise, but was " + Checks.quote( safeUrl( url ) ) );
		}
		String user = s.string( ShardwiseSettings.CATALOG_USER, "" );
		Object passwordSetting = s.object( ShardwiseSettings.CATALOG_PASSWORD );
		Secret password = passwordSetting instanceof Secret secret ? secret
				: Secret.of( passwordSetting == null ? null : passwordSetting.toString() );
		String revealed;
		try {
			revealed = password.reveal();
		}
		catch (IllegalStateException e) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.CATALOG_PASSWORD + "' cannot be used: "
					+ e.getMessage() );
		}
		String prefix = s.string( ShardwiseSettings.CATALOG_TABLE_PREFIX, DEFAULT_TABLE_PREFIX );
		if ( !TABLE_PREFIX.matcher( prefix ).matches() ) {
			throw new ShardwiseConfigurationException( "property '" + ShardwiseSettings.CATALOG_TABLE_PREFIX + "' must be a "
					+ "letter followed by up to 39 letters, digits or '_', but was " + Checks.quote( prefix )
					+ " (default: " + DEFAULT_TABLE_PREFIX + ")" );
		}
		boolean createTables = s.bool( ShardwiseSettings.CATALOG_CREATE_TABLES, true );
		int poolSize = s.integer( ShardwiseSettings.CATALOG_POOL_SIZE, DEFAULT_POOL_SIZE, 1 );

		HikariConfig config = new HikariConfig();
		config.setPoolName( POOL_NAME );
		config.setJdbcUrl( PoolFactory.maskableByHikari( url ) );
		config.setUsername( user );
		config.setPassword( revealed );
		config.setMaximumPoolSize( poolSize );
		config.setMinimumIdle( Math.min( 1, poolSize ) );
		List<String> secrets = revealed.isEmpty() ? List.of() : List.of( revealed );
		HikariDataSource pool;
		try {
			pool = new HikariDataSource( config );
		}
		catch (RuntimeException e) {
			Throwable cause = e.getCause() != null ? e.getCause() : e;
			String message = scrub( String.valueOf( cause.getMessage() ), secrets );
			throw new TopologyException( "could not connect to the topology catalog " + safeUrl + " as user "
					+ Checks.quote( user ) + ": " + message + ". Check " + ShardwiseSettings.CATALOG_URL + ", "
					+ ShardwiseSettings.CATALOG_USER + " and " + ShardwiseSettings.CATALOG_PASSWORD
					+ ", and that the database is running" );
		}
		try {
			return new JdbcCatalogTopologyStore( pool, prefix, createTables, pool, url, secrets );
		}
		catch (RuntimeException e) {
			pool.close();
			throw e;
		}
	}

	// ---- reads ----

	@Override
	public Optional<TenantPlacement> findPlacement(String tenantId) {
		TenantIds.validate( tenantId );
		return read( "read the placement of tenant " + Checks.quote( tenantId ), c -> selectPlacement( c, tenantId, false ) );
	}

	/** Every placement, in tenant id order (one query; may be large). */
	@Override
	public List<TenantPlacement> placements() {
		List<TenantPlacement> all = read( "read every placement", c -> {
			List<TenantPlacement> result = new ArrayList<>();
			try ( PreparedStatement ps = c.prepareStatement( selectPlacements ); ResultSet rs = ps.executeQuery() ) {
				while ( rs.next() ) {
					result.add( placementFrom( rs ) );
				}
			}
			return result;
		} );
		all.sort( Comparator.comparing( TenantPlacement::tenantId ) );
		return all;
	}

	/**
	 * The placements of the given tenants that have one, by tenant id (for a cache loader's bulk load). Queries in
	 * batches of 500 bound parameters.
	 */
	public Map<String, TenantPlacement> findPlacements(Collection<String> tenantIds) {
		List<String> ids = new ArrayList<>( new LinkedHashSet<>( Checks.notNull( tenantIds, "tenantIds" ) ) );
		ids.forEach( TenantIds::validate );
		Map<String, TenantPlacement> found = new LinkedHashMap<>();
		for ( int from = 0; from < ids.size(); from += IN_LIST_SIZE ) {
			List<String> batch = ids.subList( from, Math.min( ids.size(), from + IN_LIST_SIZE ) );
			String sql = selectPlacements + " where tenant_id in (" + "?, ".repeat( batch.size() - 1 ) + "?)";
			read( "read the placements of " + batch.size() + " tenants", c -> {
				try ( PreparedStatement ps = c.prepareStatement( sql ) ) {
					for ( int i = 0; i < batch.size(); i++ ) {
						ps.setString( i + 1, batch.get( i ) );
					}
					try ( ResultSet rs = ps.executeQuery() ) {
						while ( rs.next() ) {
							TenantPlacement p = placementFrom( rs );
							found.put( p.tenantId(), p );
						}
					}
				}
				return null;
			} );
		}
		return found;
	}

	/** The id of every placed tenant, in tenant id order (for a cache loader's key listing). */
	public List<String> tenantIds() {
		List<String> ids = read( "read every tenant id", c -> {
			List<String> result = new ArrayList<>();
			try ( PreparedStatement ps = c.prepareStatement( selectTenantIds ); ResultSet rs = ps.executeQuery() ) {
				while ( rs.next() ) {
					result.add( rs.getString( 1 ) );
				}
			}
			return result;
		} );
		ids.sort( Comparator.naturalOrder() );
		return ids;
	}

	@Override
	public List<Shard> shards() {
		List<Shard> all = read( "read every shard", c -> {
			List<Shard> result = new ArrayList<>();
			try ( PreparedStatement ps = c.prepareStatement( selectShards ); ResultSet rs = ps.executeQuery() ) {
				while ( rs.next() ) {
					result.add( shardFrom( rs ) );
				}
			}
			return result;
		} );
		all.sort( Comparator.comparing( Shard::name ) );
		return all;
	}

	@Override
	public Optional<Shard> findShard(String name) {
		Checks.notNull( name, "shard name" );
		return read( "read shard '" + name + "'", c -> selectShard( c, name, false ) );
	}

	/** The sum of tier weights by shard, counted by the database ({@code group by shard_name, tier}). */
	@Override
	public Map<String, Long> loadByShard() {
		return read( "sum the tenant load by shard", c -> {
			Map<String, Long> load = new TreeMap<>();
			try ( PreparedStatement ps = c.prepareStatement( sumTiersByShard ); ResultSet rs = ps.executeQuery() ) {
				while ( rs.next() ) {
					String shard = rs.getString( 1 );
					TenantTier tier = enumValue( TenantTier.class, rs.getString( 2 ), tenantTable, "tier of tenants on shard '" + shard + "'" );
					load.merge( shard, tier.weight() * rs.getLong( 3 ), Long::sum );
				}
			}
			return load;
		} );
	}

	// ---- placement changes ----

	@Override
	public TenantPlacement placeIfAbsent(TenantPlacement placement) {
		TopologyStoreChecks.requireNewPlacement( placement );
		String tenantId = placement.tenantId();
		String operation = "place tenant " + Checks.quote( tenantId ) + " on shard '" + placement.shard() + "'";
		Optional<TenantPlacement> existing;
		try {
			existing = transaction( c -> {
				requireShard( c, placement );
				Optional<TenantPlacement> stored = selectPlacement( c, tenantId, false );
				if ( stored.isEmpty() ) {
					try ( PreparedStatement ps = c.prepareStatement( insertPlacement ) ) {
						ps.setString( 1, tenantId );
						ps.setString( 2, placement.shard() );
						ps.setString( 3, placement.tier().name() );
						ps.setString( 4, placement.status().name() );
						ps.setLong( 5, placement.version() );
						ps.setTimestamp( 6, now() );
						ps.executeUpdate();
					}
				}
				return stored;
			} );
		}
		catch (SQLException e) {
			if ( !isIntegrityViolation( e ) ) {
				throw failure( operation, e );
			}
			// placed concurrently (primary key), or the shard was removed concurrently (foreign key)
			Optional<TenantPlacement> stored = read( operation, c -> selectPlacement( c, tenantId, false ) );
			if ( stored.isPresent() ) {
				return stored.get();
			}
			read( operation, c -> {
				requireShard( c, placement );
				return null;
			} );
			throw failure( operation, e );
		}
		if ( existing.isPresent() ) {
			return existing.get();
		}
		listeners.fire( new TopologyChange.PlacementChanged( tenantId, null, placement ) );
		return placement;
	}

	@Override
	public boolean replacePlacement(long expectedVersion, TenantPlacement next) {
		Checks.notNull( next, "next" );
		TopologyStoreChecks.requireNextVersion( expectedVersion, next.version() );
		String tenantId = next.tenantId();
		String operation = "replace version " + expectedVersion + " of the placement of tenant " + Checks.quote( tenantId );
		TenantPlacement replaced;
		try {
			replaced = transaction( c -> {
				requireShard( c, next );
				Optional<TenantPlacement> current = selectPlacement( c, tenantId, true );
				if ( current.isEmpty() || current.get().version() != expectedVersion ) {
					return null;
				}
				try ( PreparedStatement ps = c.prepareStatement( updatePlacement ) ) {
					ps.setString( 1, next.shard() );
					ps.setString( 2, next.tier().name() );
					ps.setString( 3, next.status().name() );
					ps.setLong( 4, next.version() );
					ps.setTimestamp( 5, now() );
					ps.setString( 6, tenantId );
					ps.setLong( 7, expectedVersion );
					return ps.executeUpdate() == 1 ? current.get() : null;
				}
			} );
		}
		catch (SQLException e) {
			if ( isIntegrityViolation( e ) ) {
				// the target shard was removed concurrently (foreign key)
				read( operation, c -> {
					requireShard( c, next );
					return null;
				} );
			}
			throw failure( operation, e );
		}
		if ( replaced == null ) {
			return false;
		}
		listeners.fire( new TopologyChange.PlacementChanged( tenantId, replaced, next ) );
		return true;
	}

	@Override
	public boolean removePlacement(String tenantId, long expectedVersion) {
		TenantIds.validate( tenantId );
		TenantPlacement removed = run( "remove version " + expectedVersion + " of the placement of tenant "
				+ Checks.quote( tenantId ), List.of(), c -> {
			Optional<TenantPlacement> current = selectPlacement( c, tenantId, true );
			if ( current.isEmpty() || current.get().version() != expectedVersion ) {
				return null;
			}
			try ( PreparedStatement ps = c.prepareStatement( deletePlacement ) ) {
				ps.setString( 1, tenantId );
				ps.setLong( 2, expectedVersion );
				return ps.executeUpdate() == 1 ? current.get() : null;
			}
		} );
		if ( removed == null ) {
			return false;
		}
		listeners.fire( new TopologyChange.PlacementChanged( tenantId, removed, null ) );
		return true;
	}

	// ---- shard changes ----

	@Override
	public void addShard(Shard shard) {
		TopologyStoreChecks.requireNewShard( shard );
		String operation = "add shard '" + shard.name() + "'";
		String definition = definitionJson( shard );
		Optional<Shard> existing;
		try {
			existing = transaction( c -> {
				Optional<Shard> stored = selectShard( c, shard.name(), false );
				if ( stored.isEmpty() ) {
					try ( PreparedStatement ps = c.prepareStatement( insertShard ) ) {
						ps.setString( 1, shard.name() );
						ps.setString( 2, shard.status().name() );
						ps.setInt( 3, shard.capacityWeight() );
						ps.setLong( 4, shard.version() );
						ps.setString( 5, definition );
						ps.setTimestamp( 6, now() );
						ps.executeUpdate();
					}
				}
				return stored;
			} );
		}
		catch (SQLException e) {
			if ( isIntegrityViolation( e ) ) {
				existing = read( operation, c -> selectShard( c, shard.name(), false ) );
				if ( existing.isPresent() ) {
					throw shardExists( existing.get() );
				}
			}
			throw failure( operation, e, catalog, secretsOf( shard ) );
		}
		if ( existing.isPresent() ) {
			throw shardExists( existing.get() );
		}
		listeners.fire( new TopologyChange.ShardChanged( shard.name(), null, shard ) );
	}

	@Override
	public boolean replaceShard(long expectedVersion, Shard next) {
		Checks.notNull( next, "next" );
		TopologyStoreChecks.requireNextVersion( expectedVersion, next.version() );
		String definition = definitionJson( next );
		Shard replaced = run( "replace version " + expectedVersion + " of shard '" + next.name() + "'", secretsOf( next ), c -> {
			Optional<Shard> current = selectShard( c, next.name(), true );
			if ( current.isEmpty() || current.get().version() != expectedVersion ) {
				return null;
			}
			try ( PreparedStatement ps = c.prepareStatement( updateShard ) ) {
				ps.setString( 1, next.status().name() );
				ps.setInt( 2, next.capacityWeight() );
				ps.setString( 3, definition );
				ps.setLong( 4, next.version() );
				ps.setTimestamp( 5, now() );
				ps.setString( 6, next.name() );
				ps.setLong( 7, expectedVersion );
				return ps.executeUpdate() == 1 ? current.get() : null;
			}
		} );
		if ( replaced == null ) {
			return false;
		}
		listeners.fire( new TopologyChange.ShardChanged( next.name(), replaced, next ) );
		return true;
	}

	@Override
	public boolean removeShard(String name, long expectedVersion) {
		Checks.notNull( name, "shard name" );
		String operation = "remove version " + expectedVersion + " of shard '" + name + "'";
		Shard removed;
		try {
			removed = transaction( c -> {
				Optional<Shard> current = selectShard( c, name, true );
				if ( current.isEmpty() || current.get().version() != expectedVersion ) {
					return null;
				}
				long tenants = countPlacements( c, name );
				if ( tenants > 0 ) {
					throw TopologyStoreChecks.shardInUse( name, tenants );
				}
				try ( PreparedStatement ps = c.prepareStatement( deleteShard ) ) {
					ps.setString( 1, name );
					ps.setLong( 2, expectedVersion );
					return ps.executeUpdate() == 1 ? current.get() : null;
				}
			} );
		}
		catch (SQLException e) {
			if ( isIntegrityViolation( e ) ) {
				// a tenant was placed on it concurrently (foreign key)
				long tenants = read( operation, c -> countPlacements( c, name ) );
				if ( tenants > 0 ) {
					throw TopologyStoreChecks.shardInUse( name, tenants );
				}
			}
			throw failure( operation, e );
		}
		if ( removed == null ) {
			return false;
		}
		listeners.fire( new TopologyChange.ShardChanged( name, removed, null ) );
		return true;
	}

	// ---- lifecycle ----

	/** Reports {@link TopologyChange.Invalidated} to this store's listeners (this JVM only). */
	@Override
	public void invalidateAll(String reason) {
		listeners.fire( new TopologyChange.Invalidated( Checks.notBlank( reason, "reason" ) ) );
	}

	@Override
	public Subscription subscribe(TopologyListener listener) {
		return listeners.add( listener );
	}

	/** Drops the listeners and closes the pool if this store built it (see {@link #create(Map)}). */
	@Override
	public void close() {
		closed = true;
		listeners.clear();
		if ( ownedPool != null ) {
			ownedPool.close();
		}
	}

	/** The catalog's JDBC URL, with any password parameter masked. */
	public String catalogUrl() {
		return catalog;
	}

	/**
	 * The catalog data source, for other durable state kept next to the topology tables (the deferred-write queue).
	 * Owned by this store: do not close it.
	 */
	public DataSource dataSource() {
		return dataSource;
	}

	/** The prefix of the table names. */
	public String tablePrefix() {
		return tablePrefix;
	}

	@Override
	public String toString() {
		return "JdbcCatalogTopologyStore[catalog=" + catalog + ", tables=" + shardTable + ", " + tenantTable
				+ ( closed ? ", closed" : "" ) + "]";
	}

	// ---- table creation ----

	private void prepareTables(Connection connection, DatabaseMetaData metaData, boolean createTables) throws SQLException {
		boolean hasShards = tableExists( connection, metaData, shardTable );
		boolean hasTenants = tableExists( connection, metaData, tenantTable );
		if ( hasShards && hasTenants ) {
			return;
		}
		if ( !createTables ) {
			throw new TopologyException( "the topology catalog " + catalog + " must have the tables " + shardTable + " and "
					+ tenantTable + ", but " + ( hasShards ? tenantTable : shardTable ) + " is missing: create them (see "
					+ "the DDL in the Javadoc of JdbcCatalogTopologyStore) or set " + ShardwiseSettings.CATALOG_CREATE_TABLES
					+ "=true" );
		}
		String product = metaData.getDatabaseProductName() == null ? ""
				: metaData.getDatabaseProductName().toLowerCase( Locale.ROOT );
		boolean mysql = product.contains( "mysql" ) || product.contains( "mariadb" );
		// MariaDB and MySQL compare case-insensitively by default: keys must be case-sensitive like Java strings
		String key = mysql ? " character set utf8mb4 collate utf8mb4_bin" : "";
		boolean autoCommit = connection.getAutoCommit();
		connection.setAutoCommit( true );
		try {
			if ( !hasShards ) {
				create( connection, metaData, shardTable, "create table " + shardTable + " ("
						+ "name varchar(64)" + key + " not null, "
						+ "status varchar(16) not null, "
						+ "capacity_weight integer not null, "
						+ "version bigint not null, "
						+ "definition " + textType( product ) + " not null, "
						+ "updated_at timestamp not null, "
						+ "primary key (name))" );
			}
			if ( !hasTenants && create( connection, metaData, tenantTable, "create table " + tenantTable + " ("
						+ "tenant_id varchar(" + TenantIds.MAX_LENGTH + ")" + key + " not null, "
						+ "shard_name varchar(64)" + key + " not null, "
						+ "tier varchar(16) not null, "
						+ "status varchar(16) not null, "
						+ "version bigint not null, "
						+ "updated_at timestamp not null, "
						+ "primary key (tenant_id))" ) ) {
				execute( connection, "create index " + tablePrefix + "tenant_shard_idx on " + tenantTable + " (shard_name)" );
				execute( connection, "alter table " + tenantTable + " add constraint " + tablePrefix + "tenant_shard_fk"
						+ " foreign key (shard_name) references " + shardTable + " (name)" );
			}
		}
		finally {
			connection.setAutoCommit( autoCommit );
		}
	}

	/** Creates a table; returns false if another instance created it in the meantime. */
	private boolean create(Connection connection, DatabaseMetaData metaData, String table, String ddl) throws SQLException {
		try {
			execute( connection, ddl );
			LOG.info( "Created topology catalog table {} in {}", table, catalog );
			return true;
		}
		catch (SQLException e) {
			if ( !tableExists( connection, metaData, table ) ) {
				throw e;
			}
			return false;
		}
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try ( Statement statement = connection.createStatement() ) {
			statement.execute( sql );
		}
	}

	private static boolean tableExists(Connection connection, DatabaseMetaData metaData, String table) throws SQLException {
		String name = metaData.storesUpperCaseIdentifiers() ? table.toUpperCase( Locale.ROOT )
				: metaData.storesLowerCaseIdentifiers() ? table.toLowerCase( Locale.ROOT ) : table;
		String escape = metaData.getSearchStringEscape();
		String pattern = escape == null || escape.isEmpty() ? name
				: name.replace( escape, escape + escape ).replace( "_", escape + "_" ).replace( "%", escape + "%" );
		try ( ResultSet rs = metaData.getTables( connection.getCatalog(), connection.getSchema(), pattern, null ) ) {
			while ( rs.next() ) {
				if ( name.equalsIgnoreCase( rs.getString( "TABLE_NAME" ) ) ) {
					return true;
				}
			}
		}
		return false;
	}

	private static String textType(String product) {
		if ( product.contains( "postgresql" ) ) {
			return "text";
		}
		if ( product.contains( "mysql" ) || product.contains( "mariadb" ) ) {
			return "mediumtext character set utf8mb4";
		}
		if ( product.equals( "h2" ) ) {
			return "character varying(1000000)";
		}
		if ( product.contains( "microsoft" ) ) {
			return "nvarchar(max)";
		}
		if ( product.contains( "oracle" ) ) {
			return "clob";
		}
		return "varchar(4000)";
	}

	private static String checkTablePrefix(String prefix) {
		if ( prefix == null || !TABLE_PREFIX.matcher( prefix ).matches() ) {
			throw new IllegalArgumentException( "table prefix must be empty or a letter followed by up to 39 letters, "
					+ "digits or '_', but was " + Checks.quote( prefix ) );
		}
		return prefix;
	}

	// ---- rows ----

	private Optional<TenantPlacement> selectPlacement(Connection c, String tenantId, boolean forUpdate) throws SQLException {
		try ( PreparedStatement ps = c.prepareStatement( forUpdate ? selectPlacementForUpdate : selectPlacement ) ) {
			ps.setString( 1, tenantId );
			try ( ResultSet rs = ps.executeQuery() ) {
				return rs.next() ? Optional.of( placementFrom( rs ) ) : Optional.empty();
			}
		}
	}

	private Optional<Shard> selectShard(Connection c, String name, boolean forUpdate) throws SQLException {
		try ( PreparedStatement ps = c.prepareStatement( forUpdate ? selectShardForUpdate : selectShard ) ) {
			ps.setString( 1, name );
			try ( ResultSet rs = ps.executeQuery() ) {
				return rs.next() ? Optional.of( shardFrom( rs ) ) : Optional.empty();
			}
		}
	}

	private void requireShard(Connection c, TenantPlacement placement) throws SQLException {
		try ( PreparedStatement ps = c.prepareStatement( selectShardVersion ) ) {
			ps.setString( 1, placement.shard() );
			try ( ResultSet rs = ps.executeQuery() ) {
				if ( rs.next() ) {
					return;
				}
			}
		}
		List<String> names = new ArrayList<>();
		try ( PreparedStatement ps = c.prepareStatement( selectShardNames ); ResultSet rs = ps.executeQuery() ) {
			while ( rs.next() ) {
				names.add( rs.getString( 1 ) );
			}
		}
		names.sort( Comparator.naturalOrder() );
		throw TopologyStoreChecks.unknownShard( placement.tenantId(), placement.shard(), names );
	}

	private long countPlacements(Connection c, String shard) throws SQLException {
		try ( PreparedStatement ps = c.prepareStatement( countPlacementsOnShard ) ) {
			ps.setString( 1, shard );
			try ( ResultSet rs = ps.executeQuery() ) {
				rs.next();
				return rs.getLong( 1 );
			}
		}
	}

	private TenantPlacement placementFrom(ResultSet rs) throws SQLException {
		String tenantId = rs.getString( 1 );
		String what = "tenant " + Checks.quote( tenantId );
		try {
			return new TenantPlacement( tenantId, rs.getString( 2 ),
					enumValue( TenantTier.class, rs.getString( 3 ), tenantTable, "tier of " + what ),
					enumValue( PlacementStatus.class, rs.getString( 4 ), tenantTable, "status of " + what ),
					rs.getLong( 5 ) );
		}
		catch (IllegalArgumentException e) {
			throw new TopologyException( "the topology catalog " + catalog + " has an invalid row in " + tenantTable
					+ " for " + what + ": " + e.getMessage() + ". Correct or delete the row", e );
		}
	}

	private Shard shardFrom(ResultSet rs) throws SQLException {
		String name = rs.getString( 1 );
		ShardStatus status = enumValue( ShardStatus.class, rs.getString( 2 ), shardTable, "status of shard '" + name + "'" );
		int weight = rs.getInt( 3 );
		long version = rs.getLong( 4 );
		String json = rs.getString( 5 );
		String where = "the topology catalog " + catalog + " has an invalid definition in " + shardTable + " for shard '"
				+ name + "'";
		TopologyFormat.ShardDef def;
		try {
			def = DEFINITIONS.readValue( json == null ? "null" : json, TopologyFormat.ShardDef.class );
		}
		catch (JsonProcessingException e) {
			// Jackson's message may quote the text, which holds credentials: give the position only
			JsonLocation at = e.getLocation();
			throw new TopologyException( where + ": it must be a JSON object, but is not valid JSON"
					+ ( at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr() )
					+ ". Correct the row or replace the shard" );
		}
		if ( def == null ) {
			throw new TopologyException( where + ": it must be a JSON object, but was null. Correct the row or replace the shard" );
		}
		try {
			return TopologyFormat.toShard( def, "definition", name, status, weight, version );
		}
		catch (TopologyFormat.InvalidValueException e) {
			throw new TopologyException( where + " at " + e.path + ": " + e.getMessage() + ". Correct the row or replace the shard" );
		}
	}

	private <E extends Enum<E>> E enumValue(Class<E> type, String value, String table, String what) {
		for ( E constant : type.getEnumConstants() ) {
			if ( constant.name().equals( value ) ) {
				return constant;
			}
		}
		throw new TopologyException( "the topology catalog " + catalog + " has an invalid value in " + table + ": " + what
				+ " must be one of " + String.join( ", ", Arrays.stream( type.getEnumConstants() ).map( Enum::name ).toList() )
				+ ", but was " + Checks.quote( value ) + ". Correct the row" );
	}

	private static String definitionJson(Shard shard) {
		try {
			return DEFINITIONS.writeValueAsString( TopologyFormat.definitionOf( shard ) );
		}
		catch (JsonProcessingException e) {
			throw new IllegalStateException( "shard '" + shard.name() + "' could not be written as JSON", e );
		}
	}

	private static Timestamp now() {
		return Timestamp.from( Instant.now() );
	}

	// ---- transactions and errors ----

	@FunctionalInterface
	private interface Work<T> {
		T run(Connection connection) throws SQLException;
	}

	/** Runs {@code work} in one transaction, retrying it when the database aborts it as a deadlock victim. */
	private <T> T transaction(Work<T> work) throws SQLException {
		if ( closed ) {
			throw new IllegalStateException( "store must be open, but was closed: " + this );
		}
		for ( int attempt = 1; ; attempt++ ) {
			try {
				return transactionOnce( work );
			}
			catch (SQLException e) {
				if ( attempt >= ATTEMPTS || !isTransactionRollback( e ) ) {
					throw e;
				}
				LOG.debug( "Retrying a topology catalog transaction aborted by the database (SQLState {})", e.getSQLState() );
			}
		}
	}

	private <T> T transactionOnce(Work<T> work) throws SQLException {
		try ( Connection c = dataSource.getConnection() ) {
			boolean autoCommit = c.getAutoCommit();
			if ( autoCommit ) {
				c.setAutoCommit( false );
			}
			try {
				T result = work.run( c );
				c.commit();
				return result;
			}
			catch (Throwable e) {
				try {
					c.rollback();
				}
				catch (SQLException rollbackFailure) {
					e.addSuppressed( rollbackFailure );
				}
				throw e;
			}
			finally {
				if ( autoCommit ) {
					c.setAutoCommit( true );
				}
			}
		}
	}

	private <T> T read(String operation, Work<T> work) {
		return run( operation, List.of(), work );
	}

	/** Runs {@code work} in a transaction; an SQL error becomes a {@link TopologyException} without {@code secrets}. */
	private <T> T run(String operation, List<String> secrets, Work<T> work) {
		try {
			return transaction( work );
		}
		catch (SQLException e) {
			throw failure( operation, e, catalog, secrets );
		}
	}

	private TopologyException failure(String operation, SQLException e) {
		return failure( operation, e, catalog, List.of() );
	}

	private TopologyException failure(String operation, SQLException e, String catalogUrl, List<String> secrets) {
		List<String> all = new ArrayList<>( catalogSecrets );
		all.addAll( secrets );
		String detail = String.valueOf( e.getMessage() );
		String scrubbed = scrub( detail, all );
		String message = "could not " + operation + " in the topology catalog " + catalogUrl + ": "
				+ ( e.getSQLState() == null ? "" : "[SQLState " + e.getSQLState() + "] " ) + scrubbed
				+ ". Check that the catalog database is reachable and its tables are intact";
		// keep the driver's exception as cause unless its message held a secret
		return scrubbed.equals( detail )
				? new TopologyException( message, e )
				: new TopologyException( message, new SQLException( scrubbed, e.getSQLState(), e.getErrorCode() ) );
	}

	private static List<String> secretsOf(Shard shard) {
		List<String> secrets = new ArrayList<>();
		addSecret( secrets, shard.credentials().password() );
		addSecret( secrets, shard.write().credentials() == null ? null : shard.write().credentials().password() );
		shard.reads().forEach( e -> addSecret( secrets, e.credentials() == null ? null : e.credentials().password() ) );
		if ( shard.analytics() != null && shard.analytics().credentials() != null ) {
			addSecret( secrets, shard.analytics().credentials().password() );
		}
		return secrets;
	}

	private static void addSecret(List<String> secrets, Secret secret) {
		if ( secret != null && !secret.isEmpty() && !secret.isReference() ) {
			secrets.add( secret.raw() );
		}
	}

	private static String scrub(String text, List<String> secrets) {
		String result = text;
		for ( String secret : secrets ) {
			if ( !secret.isEmpty() ) {
				result = result.replace( secret, "******" );
			}
		}
		return result;
	}

	private static String safeUrl(String url) {
		if ( url == null ) {
			return "(unknown URL)";
		}
		try {
			return Endpoint.of( url ).safeUrl();
		}
		catch (IllegalArgumentException e) {
			return "(a URL not starting with 'jdbc:')";
		}
	}

	private static TopologyException shardExists(Shard existing) {
		return new TopologyException( "shard '" + existing.name() + "' cannot be added: a shard of that name exists (v"
				+ existing.version() + "); use replaceShard to change it or choose another name" );
	}

	static boolean isIntegrityViolation(SQLException e) {
		for ( SQLException s = e; s != null; s = s.getNextException() ) {
			if ( s.getSQLState() != null && s.getSQLState().startsWith( "23" ) ) {
				return true;
			}
		}
		return false;
	}

	private static boolean isTransactionRollback(SQLException e) {
		return e.getSQLState() != null && e.getSQLState().startsWith( "40" );
	}
}
