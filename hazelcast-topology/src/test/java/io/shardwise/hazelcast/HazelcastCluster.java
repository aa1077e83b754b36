package io.shardwise.hazelcast;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import io.shardwise.Shardwise;
import io.shardwise.ShardwiseSettings;
import io.shardwise.TenantContext;
import io.shardwise.it.fixtures.DatabaseKind;
import io.shardwise.it.fixtures.DbHandle;
import io.shardwise.it.fixtures.ShardDatabases;
import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.testing.Note;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import static org.awaitility.Awaitility.await;

/**
 * One test's world: a catalog database and shard databases on the local PostgreSQL, a unique cluster name and port
 * range on loopback, and application members (each an {@link EntityManagerFactory} with its own embedded Hazelcast
 * member). Closing it closes the members and drops the databases.
 */
final class HazelcastCluster implements AutoCloseable {
	static final Duration PROPAGATION = Duration.ofSeconds( 20 );

	final String clusterName = "sw-" + UUID.randomUUID().toString().substring( 0, 8 );
	final int basePort;
	final int portCount;
	final ShardDatabases catalogDb;
	final ShardDatabases shardDbs;
	final List<EntityManagerFactory> members = new ArrayList<>();

	HazelcastCluster(int shards, int ports) {
		this.portCount = ports;
		this.basePort = freePortRange( ports );
		this.catalogDb = ShardDatabases.single( DatabaseKind.POSTGRESQL, "hzcat" );
		ShardDatabases created = null;
		try {
			created = shards == 0 ? null : ShardDatabases.create( DatabaseKind.POSTGRESQL, "hzshard", shards );
		}
		finally {
			if ( created == null && shards > 0 ) {
				catalogDb.close();
			}
		}
		this.shardDbs = created;
	}

	/** A catalog store over the test catalog (the source of truth), for seeding and checking. */
	JdbcCatalogTopologyStore openCatalog() {
		return JdbcCatalogTopologyStore.create( catalogSettings() );
	}

	Map<String, Object> catalogSettings() {
		DbHandle c = catalogDb.handle();
		Map<String, Object> s = new HashMap<>();
		s.put( ShardwiseSettings.CATALOG_URL, c.url() );
		s.put( ShardwiseSettings.CATALOG_USER, c.user() );
		s.put( ShardwiseSettings.CATALOG_PASSWORD, c.password() );
		s.put( ShardwiseSettings.CATALOG_POOL_SIZE, "2" );
		return s;
	}

	/** Settings of one store: the catalog, the cluster name, loopback, this test's port range. */
	Map<String, Object> storeSettings() {
		Map<String, Object> s = catalogSettings();
		s.put( ShardwiseSettings.TOPOLOGY_STORE, "hazelcast" );
		s.put( ShardwiseSettings.HAZELCAST_CLUSTER_NAME, clusterName );
		s.put( ShardwiseSettings.HAZELCAST_PORT, basePort + "-" + ( basePort + portCount - 1 ) );
		s.put( ShardwiseSettings.HAZELCAST_MEMBERS, "127.0.0.1:" + basePort + "-" + ( basePort + portCount - 1 ) );
		s.put( ShardwiseSettings.HAZELCAST_INTERFACE, "127.0.0.1" );
		return s;
	}

	String shardName(int i) {
		return "s" + i;
	}

	Shard shard(int i) {
		DbHandle db = shardDbs.get( i );
		return Shard.builder( shardName( i ) ).write( db.url() ).credentials( db.user(), db.password() ).build();
	}

	/** Writes every shard and the given tenants (round robin over the shards) to the catalog. */
	void seed(List<String> tenants) {
		try ( JdbcCatalogTopologyStore catalog = openCatalog() ) {
			for ( int i = 0; i < shardDbs.size(); i++ ) {
				catalog.addShard( shard( i ) );
			}
			for ( int t = 0; t < tenants.size(); t++ ) {
				catalog.placeIfAbsent( TenantPlacement.of( tenants.get( t ), shardName( t % shardDbs.size() ), TenantTier.SMALL ) );
			}
		}
	}

	/** Starts an application member (persistence unit with an embedded Hazelcast member). */
	EntityManagerFactory startMember() {
		return startMember( Map.of() );
	}

	EntityManagerFactory startMember(Map<String, Object> extra) {
		Map<String, Object> props = storeSettings();
		props.putAll( extra );
		EntityManagerFactory emf = Persistence.createEntityManagerFactory( "shardwise-hazelcast-test", props );
		synchronized ( members ) {
			members.add( emf );
		}
		return emf;
	}

	static HazelcastTopologyStore store(EntityManagerFactory emf) {
		return (HazelcastTopologyStore) Shardwise.of( emf ).store();
	}

	/** Waits until the member's router has this placement version (a bounded poll). */
	static void awaitRoute(EntityManagerFactory emf, TenantPlacement expected) {
		await().atMost( PROPAGATION ).pollInterval( Duration.ofMillis( 20 ) )
				.until( () -> Shardwise.of( emf ).placement( expected.tenantId() ).orElseThrow().equals( expected ) );
	}

	/** Writes one note of the tenant through the member's JPA routing. */
	static void writeNote(EntityManagerFactory emf, String tenant, String text) {
		TenantContext.run( tenant, () -> {
			EntityManager em = emf.createEntityManager();
			try {
				em.getTransaction().begin();
				em.persist( new Note( text ) );
				em.getTransaction().commit();
			}
			finally {
				em.close();
			}
		} );
	}

	/** Rows of the tenant in shard {@code i}, counted directly in its database. */
	long rows(int i, String tenant) throws SQLException {
		try ( Connection c = shardDbs.get( i ).open();
				PreparedStatement ps = c.prepareStatement( "select count(*) from note where tenantId = ?" ) ) {
			ps.setString( 1, tenant );
			try ( ResultSet rs = ps.executeQuery() ) {
				rs.next();
				return rs.getLong( 1 );
			}
		}
	}

	void closeMember(EntityManagerFactory emf) {
		synchronized ( members ) {
			members.remove( emf );
		}
		if ( emf.isOpen() ) {
			emf.close();
		}
	}

	@Override
	public void close() {
		List<EntityManagerFactory> all;
		synchronized ( members ) {
			all = new ArrayList<>( members );
			members.clear();
		}
		for ( EntityManagerFactory emf : all ) {
			try {
				if ( emf.isOpen() ) {
					emf.close();
				}
			}
			catch (RuntimeException e) {
				// keep closing the others
			}
		}
		try {
			if ( shardDbs != null ) {
				shardDbs.close();
			}
		}
		finally {
			catalogDb.close();
		}
	}

	/** A range of {@code count} free loopback ports, chosen at random between 20000 and 45000. */
	static int freePortRange(int count) {
		for ( int attempt = 0; attempt < 50; attempt++ ) {
			int base = 20000 + ThreadLocalRandom.current().nextInt( 2500 ) * 10;
			boolean free = true;
			for ( int p = base; p < base + count && free; p++ ) {
				try ( ServerSocket s = new ServerSocket( p, 1, InetAddress.getLoopbackAddress() ) ) {
					s.setReuseAddress( true );
				}
				catch (IOException e) {
					free = false;
				}
			}
			if ( free ) {
				return base;
			}
		}
		throw new IllegalStateException( "no range of " + count + " free loopback ports found between 20000 and 45000" );
	}
}
