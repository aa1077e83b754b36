package io.shardwise.demo;

import java.math.BigDecimal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.TenantId;

/**
 * A tenant's order. {@code @TenantId} keeps tenants that share a shard apart.
 */
@Entity
@Table(name = "purchase_order")
public class PurchaseOrder {
	@Id
	@GeneratedValue
	private Long id;

	@TenantId
	@Column(name = "tenant_id", nullable = false, updatable = false)
	private String tenantId;

	private String item;

	private BigDecimal amount;

	protected PurchaseOrder() {
	}

	public PurchaseOrder(String item, BigDecimal amount) {
		this.item = item;
		this.amount = amount;
	}

	public Long getId() {
		return id;
	}

	public String getTenantId() {
		return tenantId;
	}

	public String getItem() {
		return item;
	}

	public BigDecimal getAmount() {
		return amount;
	}
}
