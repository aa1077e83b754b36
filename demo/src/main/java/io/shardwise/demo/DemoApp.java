package io.shardwise.demo;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import io.shardwise.Shardwise;
import io.shardwise.TenantContext;
import io.shardwise.UnknownTenantException;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

/**
 * The Shardwise demo: four embedded H2 shards, a few hundred tenants provisioned and written through plain JPA,
 * read back through read-only sessions, and a table of tenants and rows per shard read directly from each shard.
 */
public final class DemoApp {
	private static final int TENANTS = 300;

	private DemoApp() {
	}

	public static void main(String[] args) throws Exception {
		int tenants = args.length > 0 ? Integer.parseInt( args[0] ) : TENANTS;
		EntityManagerFactory emf = Persistence.createEntityManagerFactory( "demo" );
		try {
			run( emf, tenants );
		}
		finally {
			emf.close();
		}
	}

	static Map<String, long[]> run(EntityManagerFactory emf, int tenants) throws Exception {
		Shardwise shardwise = Shardwise.of( emf );
		System.out.printf( "Shards: %s%n", shardwise.shards().stream().map( Shard::name ).collect( Collectors.joining( ", " ) ) );

		// 1. provision tenants: the placement strategy picks a shard, the topology store records it
		for ( int i = 0; i < tenants; i++ ) {
			TenantTier tier = i % 20 == 0 ? TenantTier.LARGE : i % 5 == 0 ? TenantTier.MEDIUM : TenantTier.SMALL;
			shardwise.provision( tenantId( i ), tier );
		}
		System.out.printf( "Provisioned %d tenants%n", tenants );

		// 2. write through plain JPA: each EntityManager opened inside TenantContext goes to that tenant's shard
		long written = 0;
		for ( int i = 0; i < tenants; i++ ) {
			int orders = 1 + i % 7;
			String tenant = tenantId( i );
			TenantContext.run( tenant, () -> {
				EntityManager em = emf.createEntityManager();
				try {
					em.getTransaction().begin();
					for ( int n = 0; n < orders; n++ ) {
						em.persist( new PurchaseOrder( "item-" + n, BigDecimal.valueOf( 10L * ( n + 1 ) ) ) );
					}
					em.getTransaction().commit();
				}
				finally {
					em.close();
				}
			} );
			written += orders;
		}
		System.out.printf( "Wrote %d orders through JPA%n", written );

		// 3. read back in read-only sessions: each tenant sees exactly its own rows, even on a shared shard
		for ( int i = 0; i < tenants; i++ ) {
			long expected = 1 + i % 7;
			long seen = shardwise.readOnly( tenantId( i ),
					em -> em.createQuery( "select count(o) from PurchaseOrder o", Long.class ).getSingleResult() );
			if ( seen != expected ) {
				throw new IllegalStateException( "tenant " + tenantId( i ) + " sees " + seen + " orders, expected " + expected );
			}
		}
		System.out.println( "Every tenant reads exactly its own orders (read-only sessions)" );

		// 4. bad input gets a clear error
		try {
			TenantContext.run( "no-such-tenant", () -> {
				EntityManager em = emf.createEntityManager();
				try {
					em.find( PurchaseOrder.class, 1L );
				}
				finally {
					em.close();
				}
			} );
		}
		catch (RuntimeException e) {
			Throwable t = e;
			while ( t != null && !( t instanceof UnknownTenantException ) ) {
				t = t.getCause();
			}
			System.out.println( "Unknown tenant -> " + ( t != null ? t.getMessage() : e.toString() ) );
		}

		// 5. the table: placements from the topology, rows counted directly on each shard database
		Map<String, long[]> perShard = new TreeMap<>();
		for ( Shard shard : shardwise.shards() ) {
			perShard.put( shard.name(), new long[3] );
		}
		for ( TenantPlacement p : shardwise.placements() ) {
			perShard.get( p.shard() )[0]++;
		}
		for ( Shard shard : shardwise.shards() ) {
			try ( Connection c = DriverManager.getConnection( shard.write().jdbcUrl() );
					Statement st = c.createStatement();
					ResultSet rs = st.executeQuery( "select count(*), count(distinct tenant_id) from purchase_order" ) ) {
				rs.next();
				perShard.get( shard.name() )[1] = rs.getLong( 1 );
				perShard.get( shard.name() )[2] = rs.getLong( 2 );
			}
			catch (SQLException e) {
				throw new IllegalStateException( "could not count rows on shard " + shard.name(), e );
			}
		}
		System.out.println();
		System.out.printf( "%-10s %8s %8s %18s%n", "shard", "tenants", "rows", "tenants with rows" );
		long totalRows = 0;
		for ( Map.Entry<String, long[]> e : perShard.entrySet() ) {
			System.out.printf( "%-10s %8d %8d %18d%n", e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2] );
			totalRows += e.getValue()[1];
		}
		System.out.printf( "%-10s %8d %8d%n", "total", tenants, totalRows );
		Map<String, Long> stats = shardwise.cacheStatistics();
		System.out.printf( "%nRouting cache: %d lookups, %d hits, %d cached placements%n",
				stats.get( "requests" ), stats.get( "hits" ), stats.get( "size" ) );
		if ( totalRows != written ) {
			throw new IllegalStateException( "rows on shards (" + totalRows + ") differ from rows written (" + written + ")" );
		}
		return perShard;
	}

	static String tenantId(int i) {
		return String.format( "tenant-%04d", i );
	}
}
