package io.shardwise.benchmarks.hazelcast;

import java.util.HashMap;
import java.util.Map;

import io.shardwise.ShardwiseSettings;

/** Settings of benchmark members: loopback, TCP-IP join on a fixed port range, a catalog URL. */
final class BenchCluster {
	private BenchCluster() {
	}

	static Map<String, Object> settings(String clusterName, int basePort, int ports, String catalogUrl) {
		Map<String, Object> s = new HashMap<>();
		s.put( ShardwiseSettings.CATALOG_URL, catalogUrl );
		s.put( ShardwiseSettings.CATALOG_USER, "sa" );
		s.put( ShardwiseSettings.CATALOG_POOL_SIZE, "4" );
		s.put( ShardwiseSettings.HAZELCAST_CLUSTER_NAME, clusterName );
		s.put( ShardwiseSettings.HAZELCAST_PORT, basePort + "-" + ( basePort + ports - 1 ) );
		s.put( ShardwiseSettings.HAZELCAST_MEMBERS, "127.0.0.1:" + basePort + "-" + ( basePort + ports - 1 ) );
		s.put( ShardwiseSettings.HAZELCAST_INTERFACE, "127.0.0.1" );
		return s;
	}
}
