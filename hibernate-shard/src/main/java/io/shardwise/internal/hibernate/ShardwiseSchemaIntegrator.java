package io.shardwise.internal.hibernate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.hibernate.SessionFactory;
import org.hibernate.SessionFactoryObserver;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.cfg.SchemaToolingSettings;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.service.ServiceRegistry;
import org.hibernate.tool.schema.spi.DelayedDropAction;
import org.hibernate.tool.schema.spi.SchemaManagementToolCoordinator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shardwise.ShardwiseException;
import io.shardwise.internal.ShardHandle;
import io.shardwise.internal.ShardwiseRuntime;

/**
 * Applies the persistence unit's schema action to every shard. Hibernate's own schema tooling only reaches
 * {@code getAnyConnection()}, i.e. the {@linkplain ShardwiseRuntime#defaultShard() default shard}; once it is done,
 * this runs the same action on every other serving shard, with {@code getAnyConnection()} pinned to that shard. It
 * also gives the runtime a {@link ShardwiseRuntime.SchemaDeployer} to deploy the schema to shards added later.
 * Registered through {@code META-INF/services/org.hibernate.integrator.spi.Integrator}.
 */
public final class ShardwiseSchemaIntegrator implements Integrator {
	private static final Logger LOG = LoggerFactory.getLogger( ShardwiseSchemaIntegrator.class );

	private static final String[] SCRIPT_SETTINGS = {
			SchemaToolingSettings.JAKARTA_HBM2DDL_SCRIPTS_ACTION,
			"javax.persistence.schema-generation.scripts.action",
	};
	private static final String[] ACTION_SETTINGS = {
			SchemaToolingSettings.JAKARTA_HBM2DDL_DATABASE_ACTION,
			SchemaToolingSettings.HBM2DDL_AUTO,
			"javax.persistence.schema-generation.database.action",
	};

	@Override
	public void integrate(Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor sessionFactory) {
		MultiTenantConnectionProvider<?> provider = sessionFactory.getServiceRegistry().getService( MultiTenantConnectionProvider.class );
		if ( !( provider instanceof ShardwiseConnectionProvider shardwise ) ) {
			return;
		}
		ShardwiseRuntime runtime = shardwise.runtime();
		Deployer deployer = new Deployer( metadata, sessionFactory.getServiceRegistry(), runtime );
		runtime.attachSchemaDeployer( deployer );
		if ( runtime.config().schemaOnAllShards() ) {
			sessionFactory.addObserver( deployer );
		}
	}

	static final class Deployer implements ShardwiseRuntime.SchemaDeployer, SessionFactoryObserver {
		private final Metadata metadata;
		private final ServiceRegistry registry;
		private final ShardwiseRuntime runtime;
		private final List<Map.Entry<String, DelayedDropAction>> delayedDrops = new ArrayList<>();

		Deployer(Metadata metadata, ServiceRegistry registry, ShardwiseRuntime runtime) {
			this.metadata = metadata;
			this.registry = registry;
			this.runtime = runtime;
		}

		@Override
		public void sessionFactoryCreated(SessionFactory factory) {
			Map<String, Object> settings = settingsFor( factory.getProperties(), null );
			if ( !hasAction( settings ) ) {
				return;
			}
			// Hibernate's own observer has applied the action to the default shard through getAnyConnection()
			String handled = runtime.defaultShard();
			for ( ShardHandle h : runtime.handles() ) {
				if ( h.name().equals( handled ) || !h.shard().status().serves() ) {
					continue;
				}
				apply( h.name(), settings );
			}
		}

		@Override
		public void deploy(String shard, String action) {
			runtime.requireHandle( shard );
			apply( shard, settingsFor( registryProperties(), action ) );
		}

		private Map<String, Object> registryProperties() {
			return registry.requireService( org.hibernate.engine.config.spi.ConfigurationService.class ).getSettings();
		}

		private void apply(String shard, Map<String, Object> settings) {
			LOG.info( "Applying schema action to shard '{}'", shard );
			try {
				runtime.withPinnedShard( shard, () -> {
					// the shard's own JDBC environment: the unit's is the default shard's (see ShardSchemaRegistry)
					StandardServiceRegistry shardRegistry = ShardSchemaRegistry.build( registry, settings, runtime );
					try {
						SchemaManagementToolCoordinator.process( metadata, shardRegistry, settings, action -> {
							synchronized ( delayedDrops ) {
								delayedDrops.add( Map.entry( shard, action ) );
							}
						} );
					}
					finally {
						StandardServiceRegistryBuilder.destroy( shardRegistry );
					}
					return null;
				} );
			}
			catch (RuntimeException e) {
				throw new ShardwiseException( "schema action on shard '" + shard + "' failed: " + e.getMessage()
						+ "; fix the shard (or the mapping) and restart, or deploy it later with Shardwise.deploySchema(\""
						+ shard + "\")", e );
			}
		}

		@Override
		public void sessionFactoryClosing(SessionFactory factory) {
			synchronized ( delayedDrops ) {
				for ( Map.Entry<String, DelayedDropAction> drop : delayedDrops ) {
					try {
						runtime.withPinnedShard( drop.getKey(), () -> {
							drop.getValue().perform( registry );
							return null;
						} );
					}
					catch (RuntimeException e) {
						LOG.warn( "Dropping the schema of shard '{}' at close failed: {}", drop.getKey(), e.toString() );
					}
				}
				delayedDrops.clear();
			}
		}

		/** A copy of the settings with script output removed (written once, by Hibernate) and the action overridden. */
		private static Map<String, Object> settingsFor(Map<String, Object> source, String action) {
			Map<String, Object> copy = new HashMap<>( source );
			for ( String key : SCRIPT_SETTINGS ) {
				copy.remove( key );
			}
			if ( action != null ) {
				for ( String key : ACTION_SETTINGS ) {
					copy.remove( key );
				}
				copy.put( SchemaToolingSettings.JAKARTA_HBM2DDL_DATABASE_ACTION, action );
			}
			return copy;
		}

		private static boolean hasAction(Map<String, Object> settings) {
			for ( String key : ACTION_SETTINGS ) {
				Object v = settings.get( key );
				if ( v != null && !"none".equalsIgnoreCase( v.toString().trim() ) && !v.toString().isBlank() ) {
					return true;
				}
			}
			return false;
		}
	}
}
