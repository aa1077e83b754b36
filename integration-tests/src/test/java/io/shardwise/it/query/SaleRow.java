package io.shardwise.it.query;

import java.math.BigDecimal;

/** A {@code select new} DTO of the cross-shard oracle tests: one sale. */
public record SaleRow(Long id, String tenantId, BigDecimal amount) {
}
