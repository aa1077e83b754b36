package io.shardwise.hazelcast.internal;

import java.io.IOException;
import java.util.concurrent.Callable;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

/**
 * Run on every member by the store's invalidation broadcast: the member's stores of the given name prefix report
 * {@code Invalidated(reason)} to their routers, which drop their cached routes and re-read the shards. Returns the
 * number of stores that did (its completion is the member's acknowledgement).
 */
public final class InvalidateTask implements Callable<Integer>, HazelcastInstanceAware, DataSerializable {
	private String namePrefix;
	private String reason;
	private transient HazelcastInstance hazelcast;

	public InvalidateTask() {
	}

	public InvalidateTask(String namePrefix, String reason) {
		this.namePrefix = namePrefix;
		this.reason = reason;
	}

	@Override
	public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
		this.hazelcast = hazelcastInstance;
	}

	@Override
	public Integer call() {
		return MemberContext.of( hazelcast ).invalidate( namePrefix, reason );
	}

	@Override
	public void writeData(ObjectDataOutput out) throws IOException {
		out.writeString( namePrefix );
		out.writeString( reason );
	}

	@Override
	public void readData(ObjectDataInput in) throws IOException {
		namePrefix = in.readString();
		reason = in.readString();
	}
}
