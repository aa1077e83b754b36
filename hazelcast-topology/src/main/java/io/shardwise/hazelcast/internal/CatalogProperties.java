package io.shardwise.hazelcast.internal;

import java.util.Map;
import java.util.Properties;

import io.shardwise.ShardwiseSettings;
import io.shardwise.internal.Settings;
import io.shardwise.store.JdbcCatalogTopologyStore;
import io.shardwise.topology.Secret;

/**
 * The properties of the topology map stores: how a member reaches the catalog. A literal catalog password is never
 * put there (map configurations travel between members and show in management tools); a {@code ${NAME}} reference
 * is, and each member resolves it.
 */
public final class CatalogProperties {
	/** The key of the catalog among the member's registered catalogs. */
	public static final String KEY = "shardwise.hazelcast.catalog-key";
	/** Set when the password was a literal and left out. */
	public static final String PASSWORD_OMITTED = "shardwise.hazelcast.catalog-password-omitted";

	private CatalogProperties() {
	}

	public static Properties of(Map<String, ?> settings, JdbcCatalogTopologyStore catalog) {
		Settings s = new Settings( settings );
		Properties p = new Properties();
		p.setProperty( KEY, MemberContext.catalogKey( catalog.catalogUrl(), catalog.tablePrefix() ) );
		p.setProperty( ShardwiseSettings.CATALOG_URL, s.string( ShardwiseSettings.CATALOG_URL, "" ) );
		p.setProperty( ShardwiseSettings.CATALOG_USER, s.string( ShardwiseSettings.CATALOG_USER, "" ) );
		p.setProperty( ShardwiseSettings.CATALOG_TABLE_PREFIX, catalog.tablePrefix() );
		p.setProperty( ShardwiseSettings.CATALOG_CREATE_TABLES, "false" );
		Object password = s.object( ShardwiseSettings.CATALOG_PASSWORD );
		Secret secret = password instanceof Secret sec ? sec : Secret.of( password == null ? null : password.toString() );
		if ( secret.isEmpty() || secret.isReference() ) {
			p.setProperty( ShardwiseSettings.CATALOG_PASSWORD, secret.raw() );
		}
		else {
			p.setProperty( PASSWORD_OMITTED, "true" );
		}
		return p;
	}
}
