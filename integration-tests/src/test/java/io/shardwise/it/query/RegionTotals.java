package io.shardwise.it.query;

import java.math.BigDecimal;
import java.time.LocalDate;

/** A {@code select new} DTO of the cross-shard oracle tests: the aggregates of one group (count as a primitive). */
public record RegionTotals(String region, long count, BigDecimal total, Double average, LocalDate firstDay) {
}
