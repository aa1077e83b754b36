package io.shardwise;

import java.time.Instant;

/**
 * One deferred write as stored in the catalog.
 *
 * @param id unique id, returned by {@link DeferredWrites#submit}
 * @param sequence position in the queue; entries of one tenant are applied in this order
 * @param tenantId the tenant whose shard the work is for
 * @param handler name of the {@link DeferredHandler} that applies it
 * @param payload the data handed to the handler
 * @param status {@code PENDING} (waiting to be applied) or {@code PARKED} (failed too often; kept with its error)
 * @param attempts failed applications so far
 * @param lastError the error of the last failed application, or {@code null}
 * @param createdAt when it was submitted
 */
public record DeferredEntry(String id, long sequence, String tenantId, String handler, String payload, String status,
		int attempts, String lastError, Instant createdAt) {
}
