package io.shardwise.it.query;

import java.math.BigDecimal;
import java.time.LocalDate;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.TenantId;

/**
 * A tenant-owned row of the cross-shard query tests: every column but the keys may be NULL, and most have few distinct
 * values (ties). Identifiers are assigned by the data set and unique across all shards.
 */
@Entity
@Table(name = "sale")
public class Sale {
	@Id
	@Column(name = "id")
	private Long id;

	@TenantId
	@Column(name = "tenant_id", length = 128, nullable = false)
	private String tenantId;

	@Column(name = "region", length = 32)
	private String region;

	@Column(name = "product", length = 64)
	private String product;

	@Column(name = "quantity")
	private Integer quantity;

	@Column(name = "amount", precision = 12, scale = 2)
	private BigDecimal amount;

	@Column(name = "points")
	private Long points;

	@Column(name = "sold_on")
	private LocalDate soldOn;

	@Column(name = "priority")
	private Boolean priority;

	@Enumerated(EnumType.STRING)
	@Column(name = "channel", length = 16)
	private Channel channel;

	protected Sale() {
	}

	public Long getId() {
		return id;
	}

	public String getTenantId() {
		return tenantId;
	}

	public String getRegion() {
		return region;
	}

	public String getProduct() {
		return product;
	}

	public Integer getQuantity() {
		return quantity;
	}

	public BigDecimal getAmount() {
		return amount;
	}

	public Long getPoints() {
		return points;
	}

	public LocalDate getSoldOn() {
		return soldOn;
	}

	public Boolean getPriority() {
		return priority;
	}

	public Channel getChannel() {
		return channel;
	}

	/** Every column, in declaration order: for comparing entity results with the single database's. */
	public java.util.List<Object> values() {
		return java.util.Arrays.asList( id, tenantId, region, product, quantity, amount, points, soldOn, priority, channel );
	}
}
