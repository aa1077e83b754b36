package io.shardwise.hazelcast.internal;

import java.io.IOException;
import java.util.Map;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

/**
 * A compare-and-set of one topology entry, run by Hazelcast on the member that owns the entry's partition (so that
 * all changes of one entry are serialized there, in this cluster): if the entry's version is {@code expected}
 * ({@code 0}: the entry is absent) it becomes {@code next} ({@code null}: removed). The write goes through the map
 * store to the catalog, itself a version-checked change (see {@link CatalogMapStore}); if the catalog refuses it, the
 * entry is left as it was. Backups apply the owner's outcome ({@link SetValue}).
 */
public final class CasProcessor implements EntryProcessor<String, Versioned, CasOutcome>, HazelcastInstanceAware,
		DataSerializable {
	private String mapName;
	private long expected;
	private Versioned next;
	private transient HazelcastInstance hazelcast;

	public CasProcessor() {
	}

	public CasProcessor(String mapName, long expected, Versioned next) {
		this.mapName = mapName;
		this.expected = expected;
		this.next = next;
	}

	@Override
	public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
		this.hazelcast = hazelcastInstance;
	}

	@Override
	public CasOutcome process(Map.Entry<String, Versioned> entry) {
		Versioned current = entry.getValue();
		long version = current == null ? 0 : current.version();
		if ( version != expected || ( current == null && next == null ) ) {
			return new CasOutcome( false, current );
		}
		MemberContext.of( hazelcast ).expect( mapName, entry.getKey(), expected );
		entry.setValue( next );
		return new CasOutcome( true, next );
	}

	@Override
	public EntryProcessor<String, Versioned, CasOutcome> getBackupProcessor() {
		return new SetValue( next );
	}

	@Override
	public void writeData(ObjectDataOutput out) throws IOException {
		out.writeString( mapName );
		out.writeLong( expected );
		out.writeObject( next );
	}

	@Override
	public void readData(ObjectDataInput in) throws IOException {
		mapName = in.readString();
		expected = in.readLong();
		next = in.readObject();
	}

	/** The backup side of a won compare-and-set: the owner's new value (or removal). */
	public static final class SetValue implements EntryProcessor<String, Versioned, CasOutcome>, DataSerializable {
		private Versioned value;

		public SetValue() {
		}

		SetValue(Versioned value) {
			this.value = value;
		}

		@Override
		public CasOutcome process(Map.Entry<String, Versioned> entry) {
			entry.setValue( value );
			return null;
		}

		@Override
		public void writeData(ObjectDataOutput out) throws IOException {
			out.writeObject( value );
		}

		@Override
		public void readData(ObjectDataInput in) throws IOException {
			value = in.readObject();
		}
	}
}
