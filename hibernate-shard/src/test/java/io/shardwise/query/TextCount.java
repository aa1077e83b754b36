package io.shardwise.query;

/** A DTO of the cross-shard {@code select new} tests: a text and how often it occurs (a primitive count). */
public record TextCount(String text, long count) {
}
