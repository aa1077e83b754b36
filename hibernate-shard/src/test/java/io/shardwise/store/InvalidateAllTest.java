package io.shardwise.store;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import io.shardwise.spi.TopologyChange;
import io.shardwise.spi.TopologyStore;

import static org.assertj.core.api.Assertions.assertThat;

/** The single-JVM stores report {@code invalidateAll} to their own listeners. */
class InvalidateAllTest {

	private static List<TopologyChange> invalidate(TopologyStore store) {
		List<TopologyChange> heard = new CopyOnWriteArrayList<>();
		store.subscribe( heard::add );
		store.invalidateAll( "rebalance 1" );
		return heard;
	}

	@Test
	void inMemoryAndCatalogStoresReportItToTheirListeners() {
		try ( InMemoryTopologyStore memory = new InMemoryTopologyStore() ) {
			assertThat( invalidate( memory ) ).containsExactly( new TopologyChange.Invalidated( "rebalance 1" ) );
		}
		JdbcDataSource h2 = new JdbcDataSource();
		h2.setURL( "jdbc:h2:mem:invalidate-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1" );
		try ( JdbcCatalogTopologyStore catalog = new JdbcCatalogTopologyStore( h2 ) ) {
			assertThat( invalidate( catalog ) ).containsExactly( new TopologyChange.Invalidated( "rebalance 1" ) );
		}
	}
}
