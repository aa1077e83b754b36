package io.shardwise.hazelcast;

import org.junit.jupiter.api.Test;

import com.hazelcast.spi.merge.MergingValue;

import io.shardwise.hazelcast.internal.HigherVersionMergePolicy;
import io.shardwise.hazelcast.internal.PlacementRecord;

import static org.assertj.core.api.Assertions.assertThat;

/** The split-brain merge policy of the topology maps: the higher version wins, a tie keeps the existing entry. */
class HigherVersionMergePolicyTest {
	private final HigherVersionMergePolicy policy = new HigherVersionMergePolicy();

	/** A merging value whose raw form is a marker, to see which side's raw value the policy returns. */
	private record Value(PlacementRecord value, String raw) implements MergingValue<Object> {
		@Override
		public Object getDeserializedValue() {
			return value;
		}

		@Override
		public Object getRawValue() {
			return raw;
		}
	}

	private static Value v(long version, String raw) {
		return new Value( new PlacementRecord( "s0", "SMALL", "ACTIVE", version ), raw );
	}

	@Test
	void theHigherVersionWinsWhicheverSideItIsOn() {
		assertThat( policy.merge( v( 3, "merging" ), v( 2, "existing" ) ) ).isEqualTo( "merging" );
		assertThat( policy.merge( v( 2, "merging" ), v( 3, "existing" ) ) ).isEqualTo( "existing" );
	}

	@Test
	void aTieKeepsTheExistingEntryAndAnEntryOnlyOneSideHasIsKept() {
		assertThat( policy.merge( v( 2, "merging" ), v( 2, "existing" ) ) ).isEqualTo( "existing" );
		assertThat( policy.merge( v( 1, "merging" ), null ) ).isEqualTo( "merging" );
	}
}
