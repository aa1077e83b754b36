package io.shardwise.benchmarks.query;

import java.math.BigDecimal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.TenantId;

/** The tenant-owned rows of the cross-shard query benchmarks (table created and filled by {@link BenchShards}). */
@Entity
@Table(name = "bench_item")
public class BenchItem {
	@Id
	@Column(name = "id")
	private Long id;

	@TenantId
	@Column(name = "tenant_id")
	private String tenantId;

	@Column(name = "category")
	private Integer category;

	@Column(name = "amount", precision = 12, scale = 2)
	private BigDecimal amount;

	protected BenchItem() {
	}

	public Long getId() {
		return id;
	}

	public BigDecimal getAmount() {
		return amount;
	}
}
