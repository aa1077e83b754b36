package io.shardwise.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.shardwise.TopologyException;
import io.shardwise.UnknownShardException;
import io.shardwise.spi.TopologyChange;
import io.shardwise.spi.TopologyChange.PlacementChanged;
import io.shardwise.spi.TopologyChange.ShardChanged;
import io.shardwise.spi.TopologyStore;
import io.shardwise.topology.PlacementStatus;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import static io.shardwise.store.StoreFixtures.LITERAL_PASSWORD;
import static io.shardwise.store.StoreFixtures.fullShard;
import static io.shardwise.store.StoreFixtures.race;
import static io.shardwise.store.StoreFixtures.shard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link TopologyStore} contract, run against every store: compare-and-set rules, concurrent writers, events.
 * Each test gets a new, empty store.
 */
abstract class AbstractTopologyStoreContractTest {
	protected TopologyStore store;
	protected final List<TopologyChange> events = new CopyOnWriteArrayList<>();

	/** A new, empty store. */
	protected abstract TopologyStore newStore();

	@BeforeEach
	void openStore() {
		store = newStore();
		store.subscribe( events::add );
	}

	@AfterEach
	void closeStore() {
		if ( store != null ) {
			store.close();
		}
	}

	// ---- placements ----

	@Test
	void placeIfAbsentRecordsANewPlacementAndReportsIt() {
		Shard eu1 = addShard( "eu-1" );
		TenantPlacement acme = TenantPlacement.of( "acme", "eu-1", TenantTier.MEDIUM );

		assertThat( store.placeIfAbsent( acme ) ).isEqualTo( acme );

		assertThat( store.findPlacement( "acme" ) ).contains( acme );
		assertThat( store.findPlacement( "globex" ) ).isEmpty();
		assertThat( store.placements() ).containsExactly( acme );
		assertThat( events ).containsExactly( new ShardChanged( "eu-1", null, eu1 ), new PlacementChanged( "acme", null, acme ) );
	}

	@Test
	void placeIfAbsentReturnsTheExistingPlacementAndChangesNothing() {
		addShard( "eu-1" );
		addShard( "eu-2" );
		TenantPlacement first = store.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) );
		events.clear();

		TenantPlacement second = store.placeIfAbsent( TenantPlacement.of( "acme", "eu-2", TenantTier.LARGE ) );

		assertThat( second ).isEqualTo( first );
		assertThat( store.findPlacement( "acme" ) ).contains( first );
		assertThat( events ).isEmpty();
	}

	@Test
	void placeIfAbsentTakesVersionOneOnly() {
		addShard( "eu-1" );
		assertThatThrownBy( () -> store.placeIfAbsent( new TenantPlacement( "acme", "eu-1", TenantTier.SMALL, PlacementStatus.ACTIVE, 2 ) ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessageContaining( "version of a new placement must be 1, but was 2" );
		assertThat( store.findPlacement( "acme" ) ).isEmpty();
	}

	@Test
	void placeIfAbsentOnAnUnknownShardNamesItAndTheKnownShards() {
		addShard( "eu-2" );
		addShard( "eu-1" );

		assertThatThrownBy( () -> store.placeIfAbsent( TenantPlacement.of( "acme", "us-9", TenantTier.SMALL ) ) )
				.isInstanceOf( UnknownShardException.class )
				.hasMessageContaining( "'acme'" )
				.hasMessageContaining( "'us-9'" )
				.hasMessageContaining( "known shards: eu-1, eu-2" );
		assertThat( store.findPlacement( "acme" ) ).isEmpty();
	}

	@Test
	void replacePlacementIsACompareAndSetOnTheVersion() {
		addShard( "eu-1" );
		addShard( "eu-2" );
		TenantPlacement v1 = store.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) );
		TenantPlacement v2 = v1.movedTo( "eu-2" );
		events.clear();

		assertThat( store.replacePlacement( 1, v2 ) ).isTrue();
		assertThat( store.findPlacement( "acme" ) ).contains( v2 );
		assertThat( events ).containsExactly( new PlacementChanged( "acme", v1, v2 ) );

		// a writer that still holds v1 loses
		assertThat( store.replacePlacement( 1, v1.withStatus( PlacementStatus.SUSPENDED ) ) ).isFalse();
		assertThat( store.findPlacement( "acme" ) ).contains( v2 );
		assertThat( events ).hasSize( 1 );

		TenantPlacement v3 = v2.withStatus( PlacementStatus.READ_ONLY );
		assertThat( store.replacePlacement( 2, v3 ) ).isTrue();
		assertThat( store.findPlacement( "acme" ) ).contains( v3 );
	}

	@Test
	void replacePlacementOfAnUnplacedTenantLoses() {
		addShard( "eu-1" );
		assertThat( store.replacePlacement( 1, new TenantPlacement( "ghost", "eu-1", TenantTier.SMALL, PlacementStatus.ACTIVE, 2 ) ) )
				.isFalse();
		assertThat( store.findPlacement( "ghost" ) ).isEmpty();
	}

	@Test
	void replacePlacementRequiresTheNextVersion() {
		addShard( "eu-1" );
		store.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) );

		assertThatThrownBy( () -> store.replacePlacement( 1, new TenantPlacement( "acme", "eu-1", TenantTier.LARGE, PlacementStatus.ACTIVE, 3 ) ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessageStartingWith( "next version must be expectedVersion + 1 = 2, but was 3" );
		assertThatThrownBy( () -> store.replacePlacement( 1, TenantPlacement.of( "acme", "eu-1", TenantTier.LARGE ) ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessageStartingWith( "next version must be expectedVersion + 1 = 2, but was 1" );
		assertThat( store.findPlacement( "acme" ).orElseThrow().version() ).isEqualTo( 1 );
	}

	@Test
	void replacePlacementOntoAnUnknownShardFails() {
		addShard( "eu-1" );
		TenantPlacement v1 = store.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) );

		assertThatThrownBy( () -> store.replacePlacement( 1, v1.movedTo( "nowhere" ) ) )
				.isInstanceOf( UnknownShardException.class )
				.hasMessageContaining( "'nowhere'" )
				.hasMessageContaining( "known shards: eu-1" );
		assertThat( store.findPlacement( "acme" ) ).contains( v1 );
	}

	@Test
	void removePlacementIsACompareAndSetOnTheVersion() {
		addShard( "eu-1" );
		TenantPlacement v1 = store.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) );
		TenantPlacement v2 = v1.withTier( TenantTier.MEDIUM );
		store.replacePlacement( 1, v2 );
		events.clear();

		assertThat( store.removePlacement( "acme", 1 ) ).isFalse();
		assertThat( store.findPlacement( "acme" ) ).contains( v2 );
		assertThat( store.removePlacement( "acme", 2 ) ).isTrue();
		assertThat( store.findPlacement( "acme" ) ).isEmpty();
		assertThat( store.removePlacement( "acme", 2 ) ).isFalse();
		assertThat( events ).containsExactly( new PlacementChanged( "acme", v2, null ) );
	}

	@Test
	void tenantIdsAreCaseSensitiveAndStoredVerbatim() {
		addShard( "eu-1" );
		addShard( "EU-1" );
		List<String> ids = List.of( "acme", "ACME", "o'brien\"; drop table x; --", "ünïcödé 客户", "a".repeat( 128 ) );
		for ( String id : ids ) {
			store.placeIfAbsent( TenantPlacement.of( id, id.equals( "ACME" ) ? "EU-1" : "eu-1", TenantTier.SMALL ) );
		}

		assertThat( store.placements() ).extracting( TenantPlacement::tenantId ).containsExactlyInAnyOrderElementsOf( ids );
		for ( String id : ids ) {
			assertThat( store.findPlacement( id ).orElseThrow().tenantId() ).isEqualTo( id );
		}
		assertThat( store.findPlacement( "ACME" ).orElseThrow().shard() ).isEqualTo( "EU-1" );
		assertThat( store.findPlacement( "Acme" ) ).isEmpty();
		assertThat( store.shards() ).extracting( Shard::name ).containsExactly( "EU-1", "eu-1" );
	}

	// ---- shards ----

	@Test
	void shardsAreListedInNameOrder() {
		addShard( "eu-2" );
		addShard( "ap-1" );
		addShard( "eu-10" );

		assertThat( store.shards() ).extracting( Shard::name ).containsExactly( "ap-1", "eu-10", "eu-2" );
		assertThat( store.findShard( "eu-10" ) ).contains( shard( "eu-10" ) );
		assertThat( store.findShard( "eu-3" ) ).isEmpty();
	}

	@Test
	void aShardKeepsEveryFieldAndSecretsInRawForm() {
		Shard full = fullShard( "eu-1" );
		store.addShard( full );

		Shard stored = store.findShard( "eu-1" ).orElseThrow();
		assertThat( stored ).isEqualTo( full );
		assertThat( stored.sameConnectionsAs( full ) ).isTrue();
		assertThat( stored.credentials().password().raw() ).isEqualTo( "${SW_TEST_EU_1_PASSWORD}" );
		assertThat( stored.reads().get( 1 ).credentials().password().raw() ).isEqualTo( LITERAL_PASSWORD );
		assertThat( stored.pool() ).isEqualTo( full.pool() );
		assertThat( store.shards() ).containsExactly( full );
	}

	@Test
	void addShardRefusesAnExistingNameAndVersionsOtherThanOne() {
		addShard( "eu-1" );
		events.clear();

		assertThatThrownBy( () -> store.addShard( fullShard( "eu-1" ) ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "shard 'eu-1' cannot be added: a shard of that name exists (v1)" );
		assertThatThrownBy( () -> store.addShard( shard( "eu-2" ).next().build() ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessageContaining( "version of a new shard must be 1, but was 2" );
		assertThat( store.shards() ).containsExactly( shard( "eu-1" ) );
		assertThat( events ).isEmpty();
	}

	@Test
	void replaceShardIsACompareAndSetOnTheVersion() {
		Shard v1 = addShard( "eu-1" );
		Shard v2 = v1.next().status( ShardStatus.READ_ONLY ).capacityWeight( 5 ).build();
		events.clear();

		assertThat( store.replaceShard( 1, v2 ) ).isTrue();
		assertThat( store.findShard( "eu-1" ) ).contains( v2 );
		assertThat( store.replaceShard( 1, v1.next().status( ShardStatus.OFFLINE ).build() ) ).isFalse();
		assertThat( store.findShard( "eu-1" ) ).contains( v2 );
		assertThat( store.replaceShard( 7, shard( "nope" ).toBuilder().version( 8 ).build() ) ).isFalse();
		assertThatThrownBy( () -> store.replaceShard( 2, v2 ) )
				.isInstanceOf( IllegalArgumentException.class )
				.hasMessageStartingWith( "next version must be expectedVersion + 1 = 3, but was 2" );
		assertThat( events ).containsExactly( new ShardChanged( "eu-1", v1, v2 ) );
	}

	@Test
	void removeShardRefusesWhileTenantsArePlacedOnIt() {
		Shard eu1 = addShard( "eu-1" );
		addShard( "eu-2" );
		TenantPlacement acme = store.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) );
		store.placeIfAbsent( TenantPlacement.of( "globex", "eu-1", TenantTier.SMALL ) );

		assertThatThrownBy( () -> store.removeShard( "eu-1", 1 ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "shard 'eu-1' cannot be removed: 2 tenants are still placed on it" );
		assertThat( store.findShard( "eu-1" ) ).isPresent();

		store.removePlacement( "globex", 1 );
		assertThatThrownBy( () -> store.removeShard( "eu-1", 1 ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "1 tenant is still placed on it" );

		store.replacePlacement( 1, acme.movedTo( "eu-2" ) );
		events.clear();
		assertThat( store.removeShard( "eu-1", 2 ) ).isFalse();
		assertThat( store.removeShard( "eu-1", 1 ) ).isTrue();
		assertThat( store.findShard( "eu-1" ) ).isEmpty();
		assertThat( store.removeShard( "eu-1", 1 ) ).isFalse();
		assertThat( events ).containsExactly( new ShardChanged( "eu-1", eu1, null ) );
	}

	@Test
	void loadByShardSumsTheTierWeightsOfEveryPlacement() {
		addShard( "eu-1" );
		addShard( "eu-2" );
		addShard( "eu-3" );
		store.placeIfAbsent( TenantPlacement.of( "a", "eu-1", TenantTier.SMALL ) );
		store.placeIfAbsent( TenantPlacement.of( "b", "eu-1", TenantTier.LARGE ) );
		store.placeIfAbsent( TenantPlacement.of( "c", "eu-1", TenantTier.SMALL ) );
		store.placeIfAbsent( TenantPlacement.of( "d", "eu-2", TenantTier.MEDIUM ) );
		TenantPlacement e = store.placeIfAbsent( TenantPlacement.of( "e", "eu-2", TenantTier.SMALL ) );
		store.replacePlacement( 1, e.withStatus( PlacementStatus.SUSPENDED ) );

		assertThat( store.loadByShard() ).containsOnly(
				org.assertj.core.api.Assertions.entry( "eu-1", 18L ),
				org.assertj.core.api.Assertions.entry( "eu-2", 5L ) );
	}

	// ---- concurrency ----

	@Test
	void ofEightConcurrentWritersOfTheSameVersionExactlyOneWins() throws Exception {
		for ( int i = 0; i < 8; i++ ) {
			addShard( "s" + i );
		}
		TenantPlacement v1 = store.placeIfAbsent( TenantPlacement.of( "acme", "s0", TenantTier.SMALL ) );
		events.clear();

		List<Boolean> won = race( 8, i -> () -> store.replacePlacement( 1, v1.movedTo( "s" + i ) ) );

		assertThat( won ).containsOnlyOnce( true );
		int winner = won.indexOf( true );
		TenantPlacement stored = store.findPlacement( "acme" ).orElseThrow();
		assertThat( stored ).isEqualTo( v1.movedTo( "s" + winner ) );
		assertThat( events ).containsExactly( new PlacementChanged( "acme", v1, stored ) );
	}

	@Test
	void ofEightConcurrentPlacementsOfOneTenantExactlyOneIsRecorded() throws Exception {
		for ( int i = 0; i < 8; i++ ) {
			addShard( "s" + i );
		}
		events.clear();

		List<TenantPlacement> results = race( 8, i -> () -> store.placeIfAbsent( TenantPlacement.of( "acme", "s" + i, TenantTier.SMALL ) ) );

		TenantPlacement stored = store.findPlacement( "acme" ).orElseThrow();
		assertThat( results ).allMatch( stored::equals );
		assertThat( events ).containsExactly( new PlacementChanged( "acme", null, stored ) );
	}

	@Test
	void ofEightConcurrentShardUpdatesOfTheSameVersionExactlyOneWins() throws Exception {
		Shard v1 = addShard( "eu-1" );

		List<Boolean> won = race( 8, i -> () -> store.replaceShard( 1, v1.next().capacityWeight( 10 + i ).build() ) );

		assertThat( won ).containsOnlyOnce( true );
		assertThat( store.findShard( "eu-1" ).orElseThrow().capacityWeight() ).isEqualTo( 10 + won.indexOf( true ) );
	}

	// ---- listeners ----

	@Test
	void aFailingListenerBreaksNeitherTheStoreNorTheOtherListeners() {
		Logger logger = (Logger) LoggerFactory.getLogger( TopologyListeners.class );
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		appender.start();
		logger.addAppender( appender );
		List<TopologyChange> later = new ArrayList<>();
		try {
			store.subscribe( change -> {
				throw new IllegalStateException( "listener bug" );
			} );
			store.subscribe( later::add );

			Shard eu1 = fullShard( "eu-1" );
			store.addShard( eu1 );
			TenantPlacement acme = store.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) );

			assertThat( store.findPlacement( "acme" ) ).contains( acme );
			assertThat( events ).containsExactly( new ShardChanged( "eu-1", null, eu1 ), new PlacementChanged( "acme", null, acme ) );
			assertThat( later ).containsExactlyElementsOf( events );
			assertThat( appender.list ).hasSize( 2 );
			for ( ILoggingEvent event : appender.list ) {
				assertThat( event.getLevel() ).isEqualTo( Level.WARN );
				assertThat( event.getThrowableProxy().getMessage() ).isEqualTo( "listener bug" );
				assertThat( event.getFormattedMessage() ).doesNotContain( LITERAL_PASSWORD ).doesNotContain( "jdbc:" );
			}
			assertThat( appender.list.get( 0 ).getFormattedMessage() ).contains( "ShardChanged[shard 'eu-1': none -> v1 DRAINING]" );
			assertThat( appender.list.get( 1 ).getFormattedMessage() ).contains( "PlacementChanged[tenant 'acme': none -> v1 on eu-1]" );
		}
		finally {
			logger.detachAppender( appender );
		}
	}

	@Test
	void aClosedSubscriptionHearsNothingMore() {
		List<TopologyChange> heard = new ArrayList<>();
		TopologyStore.Subscription subscription = store.subscribe( heard::add );
		addShard( "eu-1" );
		subscription.close();
		subscription.close();
		addShard( "eu-2" );

		assertThat( heard ).containsExactly( new ShardChanged( "eu-1", null, shard( "eu-1" ) ) );
		assertThat( events ).hasSize( 2 );
	}

	@Test
	void toStringShowsNoPassword() {
		store.addShard( fullShard( "eu-1" ) );
		assertThat( store.toString() ).doesNotContain( LITERAL_PASSWORD );
		assertThat( store.shards().toString() ).doesNotContain( LITERAL_PASSWORD );
	}

	protected Shard addShard(String name) {
		Shard shard = shard( name );
		store.addShard( shard );
		return shard;
	}
}
