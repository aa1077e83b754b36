package io.shardwise.it.query;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManagerFactory;

import org.hibernate.context.spi.CurrentTenantIdentifierResolver;
import org.hibernate.jpa.HibernatePersistenceConfiguration;

import io.shardwise.ShardwiseSettings;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.DbHandle;
import io.shardwise.it.fixtures.ShardDatabases;
import io.shardwise.store.InMemoryTopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

/**
 * The same {@link SalesData} in {@code shards} sharded databases (a Shardwise persistence unit over an in-memory
 * topology) and in one single database (a plain Hibernate persistence unit: the oracle). Closing drops everything.
 */
final class ShardedSales implements AutoCloseable {
	final DatabaseKind kind;
	final SalesData data;
	final ShardDatabases shardDatabases;
	final ShardDatabases oracleDatabase;
	final InMemoryTopologyStore store;
	final EntityManagerFactory sharded;
	final EntityManagerFactory oracle;

	private ShardedSales(DatabaseKind kind, SalesData data, ShardDatabases shardDatabases, ShardDatabases oracleDatabase,
			InMemoryTopologyStore store, EntityManagerFactory sharded, EntityManagerFactory oracle) {
		this.kind = kind;
		this.data = data;
		this.shardDatabases = shardDatabases;
		this.oracleDatabase = oracleDatabase;
		this.store = store;
		this.sharded = sharded;
		this.oracle = oracle;
	}

	static String shardName(int i) {
		return "s" + i;
	}

	/** Creates the databases, boots both persistence units (schema: create) and loads the data. */
	static ShardedSales create(DatabaseKind kind, SalesData data, int shards, Map<String, Object> settings) throws SQLException {
		ShardDatabases shardDbs = ShardDatabases.create( kind, "xq_shard", shards );
		ShardDatabases oracleDb = null;
		EntityManagerFactory sharded = null;
		EntityManagerFactory oracle = null;
		try {
			oracleDb = ShardDatabases.single( kind, "xq_oracle" );
			InMemoryTopologyStore store = new InMemoryTopologyStore();
			for ( int i = 0; i < shards; i++ ) {
				DbHandle h = shardDbs.get( i );
				store.addShard( Shard.builder( shardName( i ) ).write( h.url() ).credentials( h.user(), h.password() ).build() );
			}
			for ( String tenant : data.tenants ) {
				store.placeIfAbsent( TenantPlacement.of( tenant, shardName( data.placement.get( tenant ) ), TenantTier.SMALL ) );
			}
			Map<String, Object> props = new HashMap<>();
			props.put( ShardwiseSettings.TOPOLOGY_STORE, store );
			props.put( ShardwiseSettings.METER_REGISTRY, "none" );
			props.put( ShardwiseSettings.POOL_MAXIMUM_SIZE, "6" );
			props.put( ShardwiseSettings.POOL_MINIMUM_IDLE, "0" );
			props.put( "jakarta.persistence.schema-generation.database.action", "create" );
			props.putAll( settings );
			HibernatePersistenceConfiguration shardedConfig = new HibernatePersistenceConfiguration( "xq-sharded-" + kind )
					.managedClass( Sale.class );
			props.forEach( shardedConfig::property );
			sharded = shardedConfig.createEntityManagerFactory();

			DbHandle o = oracleDb.handle();
			oracle = new HibernatePersistenceConfiguration( "xq-oracle-" + kind )
					.managedClass( Sale.class )
					.jdbcUrl( o.url() )
					.jdbcCredentials( o.user(), o.password() )
					.property( "hibernate.tenant_identifier_resolver", new RootTenant() )
					.property( "jakarta.persistence.schema-generation.database.action", "create" )
					.createEntityManagerFactory();

			for ( int i = 0; i < shards; i++ ) {
				try ( Connection c = open( kind, shardDbs.get( i ) ) ) {
					SalesData.insert( c, data.rowsOf( i ) );
					SalesData.insert( c, data.strays.getOrDefault( i, List.of() ) );
				}
			}
			try ( Connection c = open( kind, o ) ) {
				SalesData.insert( c, data.rows );
			}
			return new ShardedSales( kind, data, shardDbs, oracleDb, store, sharded, oracle );
		}
		catch (RuntimeException | SQLException | Error e) {
			closeQuietly( sharded, oracle, shardDbs, oracleDb );
			throw e;
		}
	}

	/** A loading connection (PostgreSQL: batches rewritten into multi-row inserts). */
	static Connection open(DatabaseKind kind, DbHandle h) throws SQLException {
		String url = kind == DatabaseKind.POSTGRESQL ? h.url() + ( h.url().contains( "?" ) ? "&" : "?" ) + "reWriteBatchedInserts=true" : h.url();
		return DriverManager.getConnection( url, h.user(), h.password() );
	}

	@Override
	public void close() {
		closeQuietly( sharded, oracle, shardDatabases, oracleDatabase );
	}

	private static void closeQuietly(EntityManagerFactory a, EntityManagerFactory b, ShardDatabases c, ShardDatabases d) {
		if ( a != null ) {
			a.close();
		}
		if ( b != null ) {
			b.close();
		}
		if ( c != null ) {
			c.close();
		}
		if ( d != null ) {
			d.close();
		}
	}

	/** The oracle's sessions see every tenant: one tenant id that Hibernate treats as root (no @TenantId filter). */
	static final class RootTenant implements CurrentTenantIdentifierResolver<String> {
		@Override
		public String resolveCurrentTenantIdentifier() {
			return "oracle";
		}

		@Override
		public boolean validateExistingCurrentSessions() {
			return false;
		}

		@Override
		public boolean isRoot(String tenantId) {
			return true;
		}
	}
}
