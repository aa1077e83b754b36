package io.shardwise.internal.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.shardwise.ShardwiseConfigurationException;
import io.shardwise.ShardwiseSettings;
import io.shardwise.internal.Settings;
import io.shardwise.spi.PlacementStrategy;
import io.shardwise.topology.Shard;
import io.shardwise.topology.TenantTier;

/**
 * The factory: short names, class names, and the errors for everything else.
 */
class PlacementStrategiesTest {

	@Test
	void shortNames() {
		assertThat( PlacementStrategies.create( "consistent-hash", 64 ) )
				.isInstanceOfSatisfying( ConsistentHashPlacement.class, p -> assertThat( p.virtualNodes() ).isEqualTo( 64 ) );
		assertThat( PlacementStrategies.create( "least-loaded", 64 ) ).isInstanceOf( LeastLoadedPlacement.class );
		assertThat( PlacementStrategies.create( " Least-Loaded ", 64 ) ).isInstanceOf( LeastLoadedPlacement.class );
		assertThat( PlacementStrategies.create( "CONSISTENT-HASH", 1 ) ).isInstanceOf( ConsistentHashPlacement.class );
	}

	@Test
	void classNames() {
		assertThat( PlacementStrategies.create( FirstCandidate.class.getName(), 64 ) ).isInstanceOf( FirstCandidate.class );
		assertThat( PlacementStrategies.create( LeastLoadedPlacement.class.getName(), 64 ) ).isInstanceOf( LeastLoadedPlacement.class );
		// a class name gets the class's own no-arg constructor, hence the default virtual nodes
		assertThat( PlacementStrategies.create( ConsistentHashPlacement.class.getName(), 64 ) )
				.isInstanceOfSatisfying( ConsistentHashPlacement.class,
						p -> assertThat( p.virtualNodes() ).isEqualTo( ConsistentHashRing.DEFAULT_VIRTUAL_NODES ) );
	}

	@Test
	void unknownNames() {
		for ( String name : new String[] { "x", "round-robin", "com.example.Missing", "" } ) {
			assertThatThrownBy( () -> PlacementStrategies.create( name, 64 ) )
					.isInstanceOf( ShardwiseConfigurationException.class )
					.hasMessage( "property 'shardwise.placement.strategy' must be one of consistent-hash, least-loaded or a "
							+ "class name implementing io.shardwise.spi.PlacementStrategy, but was '" + name + "'" );
		}
		assertThatThrownBy( () -> PlacementStrategies.create( null, 64 ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageEndingWith( "but was null" );
	}

	@Test
	void unusableClasses() {
		assertThatThrownBy( () -> PlacementStrategies.create( "java.lang.String", 64 ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessage( "property 'shardwise.placement.strategy' names class 'java.lang.String', which does not "
						+ "implement io.shardwise.spi.PlacementStrategy" );
		assertThatThrownBy( () -> PlacementStrategies.create( NoDefaultConstructor.class.getName(), 64 ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessage( "property 'shardwise.placement.strategy' names class '" + NoDefaultConstructor.class.getName()
						+ "', which has no public no-argument constructor" );
		assertThatThrownBy( () -> PlacementStrategies.create( PlacementStrategy.class.getName(), 64 ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageEndingWith( "which is abstract: name a concrete class" );
		assertThatThrownBy( () -> PlacementStrategies.create( FailingConstructor.class.getName(), 64 ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageContaining( "whose constructor failed: java.lang.IllegalStateException: boom" )
				.hasCauseInstanceOf( IllegalStateException.class );
	}

	@Test
	void virtualNodesMustBePositive() {
		assertThatThrownBy( () -> PlacementStrategies.create( "consistent-hash", 0 ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessage( "property 'shardwise.placement.virtual-nodes' must be at least 1, but was 0 (default: "
						+ ConsistentHashRing.DEFAULT_VIRTUAL_NODES + ")" );
	}

	@Test
	void fromSettings() {
		assertThat( PlacementStrategies.create( new Settings( Map.of() ) ) )
				.isInstanceOfSatisfying( ConsistentHashPlacement.class,
						p -> assertThat( p.virtualNodes() ).isEqualTo( ConsistentHashRing.DEFAULT_VIRTUAL_NODES ) );
		assertThat( PlacementStrategies.create( new Settings( Map.of( ShardwiseSettings.PLACEMENT_VIRTUAL_NODES, "256" ) ) ) )
				.isInstanceOfSatisfying( ConsistentHashPlacement.class, p -> assertThat( p.virtualNodes() ).isEqualTo( 256 ) );
		assertThat( PlacementStrategies.create( new Settings( Map.of( ShardwiseSettings.PLACEMENT_STRATEGY, "least-loaded" ) ) ) )
				.isInstanceOf( LeastLoadedPlacement.class );
		assertThatThrownBy( () -> PlacementStrategies.create( new Settings( Map.of( ShardwiseSettings.PLACEMENT_VIRTUAL_NODES, "0" ) ) ) )
				.isInstanceOf( ShardwiseConfigurationException.class )
				.hasMessageStartingWith( "property 'shardwise.placement.virtual-nodes' must be at least 1, but was 0" );
	}

	/** A custom strategy, loaded by class name. */
	public static class FirstCandidate implements PlacementStrategy {
		@Override
		public String choose(String tenantId, TenantTier tier, List<Shard> candidates, Map<String, Long> loadByShard) {
			return candidates.get( 0 ).name();
		}
	}

	public static class NoDefaultConstructor extends FirstCandidate {
		public NoDefaultConstructor(String unused) {
		}
	}

	public static class FailingConstructor extends FirstCandidate {
		public FailingConstructor() {
			throw new IllegalStateException( "boom" );
		}
	}
}
