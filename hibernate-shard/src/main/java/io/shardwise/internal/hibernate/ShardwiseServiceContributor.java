package io.shardwise.internal.hibernate;

import java.util.Map;

import org.hibernate.boot.registry.StandardServiceInitiator;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.MultiTenancySettings;
import org.hibernate.engine.jdbc.connections.internal.MultiTenantConnectionProviderInitiator;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.internal.util.config.ConfigurationHelper;
import org.hibernate.service.spi.ServiceContributor;
import org.hibernate.service.spi.ServiceRegistryImplementor;

import io.shardwise.ShardwiseSettings;
import io.shardwise.ShardwiseTenantResolver;
import io.shardwise.internal.Settings;
import io.shardwise.topology.Secret;

/**
 * Switches Shardwise on for a persistence unit whose settings name a topology ({@code shardwise.topology.store} or
 * {@code shardwise.topology.file}) or that sets {@code hibernate.multi_tenant_connection_provider=shardwise}: installs
 * the routing connection provider and, unless another is configured, the {@link ShardwiseTenantResolver}.
 * Registered through {@code META-INF/services/org.hibernate.service.spi.ServiceContributor}.
 */
public final class ShardwiseServiceContributor implements ServiceContributor {
	/** Short name accepted in {@code hibernate.multi_tenant_connection_provider} and {@code hibernate.tenant_identifier_resolver}. */
	public static final String SHORT_NAME = "shardwise";

	@Override
	public void contribute(StandardServiceRegistryBuilder builder) {
		Map<String, Object> settings = builder.getSettings();
		if ( !isActive( settings ) ) {
			return;
		}
		builder.addInitiator( Initiator.INSTANCE );
		// Contributors see the settings before Hibernate resolves ${NAME} placeholders in them, from system properties
		// only, dropping a setting it cannot resolve. A Secret is left alone, and resolves NAME from system
		// properties, then environment variables, then its ${NAME:default}, as the catalog password promises.
		Object catalogPassword = settings.get( ShardwiseSettings.CATALOG_PASSWORD );
		if ( catalogPassword instanceof String raw && Secret.of( raw ).isReference() ) {
			builder.applySetting( ShardwiseSettings.CATALOG_PASSWORD, Secret.of( raw ) );
		}
		Object resolver = settings.get( MultiTenancySettings.MULTI_TENANT_IDENTIFIER_RESOLVER );
		if ( resolver == null || SHORT_NAME.equals( resolver.toString().trim() ) ) {
			String defaultTenant = new Settings( settings ).string( ShardwiseSettings.DEFAULT_TENANT, null );
			if ( defaultTenant != null ) {
				defaultTenant = ConfigurationHelper.resolvePlaceHolder( defaultTenant );
			}
			ShardwiseTenantResolver tenantResolver;
			try {
				tenantResolver = new ShardwiseTenantResolver( defaultTenant );
			}
			catch (io.shardwise.MalformedTenantIdException e) {
				throw new io.shardwise.ShardwiseConfigurationException( "property '" + ShardwiseSettings.DEFAULT_TENANT
						+ "' is not a valid tenant id: " + e.getMessage(), e );
			}
			builder.applySetting( MultiTenancySettings.MULTI_TENANT_IDENTIFIER_RESOLVER, tenantResolver );
		}
	}

	static boolean isActive(Map<String, Object> settings) {
		Object provider = settings.get( MultiTenancySettings.MULTI_TENANT_CONNECTION_PROVIDER );
		if ( provider != null ) {
			return SHORT_NAME.equals( provider.toString().trim() ) || provider instanceof ShardwiseConnectionProvider;
		}
		Settings s = new Settings( settings );
		return s.has( ShardwiseSettings.TOPOLOGY_STORE ) || s.has( ShardwiseSettings.TOPOLOGY_FILE );
	}

	/** Creates the Shardwise provider, or defers to Hibernate's own initiator when another provider is named. */
	static final class Initiator implements StandardServiceInitiator<MultiTenantConnectionProvider<?>> {
		static final Initiator INSTANCE = new Initiator();

		@Override
		@SuppressWarnings({ "unchecked", "rawtypes" })
		public Class<MultiTenantConnectionProvider<?>> getServiceInitiated() {
			return (Class) MultiTenantConnectionProvider.class;
		}

		@Override
		public MultiTenantConnectionProvider<?> initiateService(Map<String, Object> settings, ServiceRegistryImplementor registry) {
			Object provider = settings.get( MultiTenancySettings.MULTI_TENANT_CONNECTION_PROVIDER );
			if ( provider instanceof ShardwiseConnectionProvider p ) {
				return p;
			}
			if ( provider == null || SHORT_NAME.equals( provider.toString().trim() ) ) {
				return new ShardwiseConnectionProvider( settings );
			}
			return MultiTenantConnectionProviderInitiator.INSTANCE.initiateService( settings, registry );
		}
	}
}
