package io.shardwise.testing;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.TenantId;

/**
 * A minimal tenant-owned entity for tests (shared through the test-jar).
 */
@Entity
@Table(name = "note")
public class Note {
	@Id
	@GeneratedValue
	private Long id;

	@TenantId
	private String tenantId;

	private String text;

	protected Note() {
	}

	public Note(String text) {
		this.text = text;
	}

	public Long getId() {
		return id;
	}

	public String getTenantId() {
		return tenantId;
	}

	public String getText() {
		return text;
	}
}
