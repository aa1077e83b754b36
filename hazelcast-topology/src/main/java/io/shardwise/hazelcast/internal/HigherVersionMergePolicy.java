package io.shardwise.hazelcast.internal;

import java.io.IOException;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * Split-brain merge policy of the topology maps: of the two values of an entry, the one with the higher version
 * wins (the catalog gives each version to one side only, so the higher one is the later change); on a tie the
 * existing value stays; an entry only the merging side has is taken. An entry the other side removed can come back
 * this way: the store reloads the maps from the catalog after every merge, which settles that.
 */
public final class HigherVersionMergePolicy implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

	public HigherVersionMergePolicy() {
	}

	@Override
	public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
		if ( existing == null ) {
			return merging.getRawValue();
		}
		if ( merging == null ) {
			return existing.getRawValue();
		}
		Object mergingValue = merging.getDeserializedValue();
		Object existingValue = existing.getDeserializedValue();
		if ( mergingValue instanceof Versioned m && existingValue instanceof Versioned e && m.version() > e.version() ) {
			return merging.getRawValue();
		}
		return existing.getRawValue();
	}

	@Override
	public void writeData(ObjectDataOutput out) throws IOException {
	}

	@Override
	public void readData(ObjectDataInput in) throws IOException {
	}
}
