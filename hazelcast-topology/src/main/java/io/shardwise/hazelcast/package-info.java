/**
 * The cluster-wide topology store on Hazelcast: {@link io.shardwise.hazelcast.HazelcastTopologyStore}, chosen with
 * {@code shardwise.topology.store=hazelcast}.
 */
package io.shardwise.hazelcast;
