package io.shardwise.it.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.TenantId;

/**
 * A tenant-owned entity of the integration tests. Many tenants share a shard, so the owner is kept in
 * {@code tenant_id}, which Hibernate fills in on insert and adds to every entity query and load ({@link TenantId}).
 * <p>
 * The table is portable on purpose ({@code invoice(id bigint, tenant_id varchar(128), label varchar(255),
 * amount_cents bigint)}): the tests read and write it over plain JDBC, and create it by hand on a replica.
 */
@Entity
@Table(name = "invoice")
public class Invoice {
	@Id
	@GeneratedValue
	private Long id;

	@TenantId
	@Column(name = "tenant_id", length = 128, nullable = false, updatable = false)
	private String tenantId;

	@Column(name = "label", length = 255)
	private String label;

	@Column(name = "amount_cents", nullable = false)
	private long amountCents;

	protected Invoice() {
	}

	public Invoice(String label, long amountCents) {
		this.label = label;
		this.amountCents = amountCents;
	}

	public Long getId() {
		return id;
	}

	public String getTenantId() {
		return tenantId;
	}

	public String getLabel() {
		return label;
	}

	public long getAmountCents() {
		return amountCents;
	}

	@Override
	public String toString() {
		return "Invoice[" + id + ", tenant=" + tenantId + ", " + label + "]";
	}
}
