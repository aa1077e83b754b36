package io.shardwise.demo;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import org.h2.jdbcx.JdbcDataSource;

import io.shardwise.Shardwise;
import io.shardwise.TenantContext;
import io.shardwise.UnknownTenantException;
import io.shardwise.store.FileTopologyStore;
import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

/**
 * The Shardwise demo: two instances of one application (two {@code EntityManagerFactory}s, each with an embedded
 * Hazelcast member, forming one cluster) share a topology of four embedded H2 shards, durable in an H2 catalog.
 * A few hundred tenants are provisioned and written through plain JPA on both instances, read back through
 * read-only sessions, one tenant is moved on one instance and written by the other, and a table of tenants and rows
 * per shard is read directly from each shard database.
 */
public final class DemoApp {
	private static final int TENANTS = 300;
	static final String CATALOG_URL = "jdbc:h2:mem:shardwise-demo-catalog;DB_CLOSE_DELAY=-1";

	private DemoApp() {
	}

	public static void main(String[] args) throws Exception {
		int tenants = args.length > 0 ? Integer.parseInt( args[0] ) : TENANTS;
		Map<String, long[]> table = runTwoInstances( Map.of(), tenants );
		System.out.printf( "%nDone: %d shards, %d tenants.%n", table.size(), tenants );
	}

	/** Seeds the catalog, boots two app instances with {@code overrides}, runs the scenario and closes them. */
	static Map<String, long[]> runTwoInstances(Map<String, Object> overrides, int tenants) throws Exception {
		seedCatalog();
		EntityManagerFactory first = Persistence.createEntityManagerFactory( "demo", overrides );
		try {
			EntityManagerFactory second = Persistence.createEntityManagerFactory( "demo", overrides );
			try {
				return run( first, second, tenants );
			}
			finally {
				second.close();
			}
		}
		finally {
			first.close();
		}
	}

	/** Waits (at most 10 s) until the instance routes by this placement; returns the milliseconds since {@code since}. */
	private static double awaitPlacement(Shardwise instance, TenantPlacement expected, long since) {
		long deadline = since + java.util.concurrent.TimeUnit.SECONDS.toNanos( 10 );
		while ( !expected.equals( instance.placement( expected.tenantId() ).orElse( null ) ) ) {
			if ( System.nanoTime() - deadline > 0 ) {
				throw new IllegalStateException( "instance two still routes " + expected.tenantId() + " by "
						+ instance.placement( expected.tenantId() ).orElse( null ) + " 10 s after the change to " + expected );
			}
			try {
				Thread.sleep( 1 );
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException( "interrupted while waiting for instance two to see the move", e );
			}
		}
		return ( System.nanoTime() - since ) / 1e6;
	}

	/** The operator's step: put the shards of demo-topology.yaml into the durable catalog. */
	static void seedCatalog() {
		JdbcDataSource catalog = new JdbcDataSource();
		catalog.setURL( CATALOG_URL );
		JdbcCatalogTopologyStore store = new JdbcCatalogTopologyStore( catalog );
		try {
			for ( Shard shard : FileTopologyStore.load( "demo-topology.yaml" ).shards() ) {
				if ( store.findShard( shard.name() ).isEmpty() ) {
					store.addShard( shard );
				}
			}
		}
		finally {
			store.close();
		}
	}

	static Map<String, long[]> run(EntityManagerFactory first, EntityManagerFactory second, int tenants) {
		Shardwise one = Shardwise.of( first );
		Shardwise two = Shardwise.of( second );
		System.out.printf( "Two app instances, one topology: shards %s%n",
				one.shards().stream().map( Shard::name ).collect( Collectors.joining( ", " ) ) );

		// 1. provision tenants on instance one: the placement strategy picks a shard, the catalog records it
		for ( int i = 0; i < tenants; i++ ) {
			TenantTier tier = i % 20 == 0 ? TenantTier.LARGE : i % 5 == 0 ? TenantTier.MEDIUM : TenantTier.SMALL;
			one.provision( tenantId( i ), tier );
		}
		System.out.printf( "Provisioned %d tenants on instance one%n", tenants );

		// 2. write through plain JPA on both instances: each EntityManager opened inside TenantContext goes to that
		//    tenant's shard, whichever instance opened it
		long written = 0;
		for ( int i = 0; i < tenants; i++ ) {
			written += writeOrders( i % 2 == 0 ? first : second, tenantId( i ), 1 + i % 7 );
		}
		System.out.printf( "Wrote %d orders through JPA, half on each instance%n", written );

		// 3. read back on instance two in read-only sessions: each tenant sees exactly its own rows, even on a shared shard
		for ( int i = 0; i < tenants; i++ ) {
			long expected = 1 + i % 7;
			long seen = two.readOnly( tenantId( i ),
					em -> em.createQuery( "select count(o) from PurchaseOrder o", Long.class ).getSingleResult() );
			if ( seen != expected ) {
				throw new IllegalStateException( "tenant " + tenantId( i ) + " sees " + seen + " orders, expected " + expected );
			}
		}
		System.out.println( "Every tenant reads exactly its own orders (read-only sessions on instance two)" );

		// 4. a placement changed on instance one reaches instance two's routing within milliseconds (an entry event);
		//    the demo waits for it before writing, since this plain placement change is not a fenced move
		String mover = "tenant-moving";
		TenantPlacement before = one.provision( mover, TenantTier.SMALL );
		String target = one.shards().stream().map( Shard::name ).filter( n -> !n.equals( before.shard() ) ).findFirst().orElseThrow();
		TenantPlacement moved = before.movedTo( target );
		long changedAt = System.nanoTime();
		if ( !one.store().replacePlacement( before.version(), moved ) ) {
			throw new IllegalStateException( "the move of " + mover + " lost a compare-and-set" );
		}
		double seenAfterMs = awaitPlacement( two, moved, changedAt );
		writeOrders( second, mover, 1 );
		written++;
		System.out.printf( "Moved %s from %s to %s on instance one; instance two routed by it %.1f ms later and wrote its "
				+ "next order to %s (rows there: %d)%n", mover, before.shard(), target, seenAfterMs, target,
				countRows( one.shards(), target, mover ) );

		// 5. bad input gets a clear error
		try {
			writeOrders( first, "no-such-tenant", 1 );
		}
		catch (RuntimeException e) {
			Throwable t = e;
			while ( t != null && !( t instanceof UnknownTenantException ) ) {
				t = t.getCause();
			}
			System.out.println( "Unknown tenant -> " + ( t != null ? t.getMessage() : e.toString() ) );
		}

		// 6. the table: placements from the topology, rows counted directly on each shard database
		Map<String, long[]> perShard = new TreeMap<>();
		for ( Shard shard : one.shards() ) {
			perShard.put( shard.name(), new long[3] );
		}
		for ( TenantPlacement p : one.placements() ) {
			perShard.get( p.shard() )[0]++;
		}
		for ( Shard shard : one.shards() ) {
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
		long totalTenants = 0;
		for ( Map.Entry<String, long[]> e : perShard.entrySet() ) {
			System.out.printf( "%-10s %8d %8d %18d%n", e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2] );
			totalTenants += e.getValue()[0];
			totalRows += e.getValue()[1];
		}
		System.out.printf( "%-10s %8d %8d%n", "total", totalTenants, totalRows );
		for ( Shardwise instance : new Shardwise[] { one, two } ) {
			Map<String, Long> stats = instance.cacheStatistics();
			System.out.printf( "Routing cache of instance %s: %d lookups, %d hits, %d cached placements%n",
					instance == one ? "one" : "two", stats.get( "requests" ), stats.get( "hits" ), stats.get( "size" ) );
		}
		if ( totalRows != written ) {
			throw new IllegalStateException( "rows on shards (" + totalRows + ") differ from rows written (" + written + ")" );
		}
		return perShard;
	}

	private static int writeOrders(EntityManagerFactory emf, String tenant, int orders) {
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
		return orders;
	}

	static long countRows(java.util.List<Shard> shards, String shardName, String tenant) {
		Shard shard = shards.stream().filter( s -> s.name().equals( shardName ) ).findFirst().orElseThrow();
		try ( Connection c = DriverManager.getConnection( shard.write().jdbcUrl() );
				PreparedStatement ps = c.prepareStatement( "select count(*) from purchase_order where tenant_id = ?" ) ) {
			ps.setString( 1, tenant );
			try ( ResultSet rs = ps.executeQuery() ) {
				rs.next();
				return rs.getLong( 1 );
			}
		}
		catch (SQLException e) {
			throw new IllegalStateException( "could not count rows on shard " + shardName, e );
		}
	}

	static String tenantId(int i) {
		return String.format( "tenant-%04d", i );
	}
}
