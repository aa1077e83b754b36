package io.shardwise.hazelcast.internal;

import java.io.IOException;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

/** The result of a {@link CasProcessor}: whether it won, and the entry's value afterwards (null: absent). */
public final class CasOutcome implements DataSerializable {
	private boolean won;
	private Versioned current;

	public CasOutcome() {
	}

	public CasOutcome(boolean won, Versioned current) {
		this.won = won;
		this.current = current;
	}

	public boolean won() {
		return won;
	}

	public Versioned current() {
		return current;
	}

	@Override
	public void writeData(ObjectDataOutput out) throws IOException {
		out.writeBoolean( won );
		out.writeObject( current );
	}

	@Override
	public void readData(ObjectDataInput in) throws IOException {
		won = in.readBoolean();
		current = in.readObject();
	}
}
