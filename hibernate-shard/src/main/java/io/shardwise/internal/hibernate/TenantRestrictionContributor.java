package io.shardwise.internal.hibernate;

import java.util.Map;

import org.hibernate.binder.internal.TenantIdBinder;
import org.hibernate.boot.ResourceStreamLocator;
import org.hibernate.boot.spi.AdditionalMappingContributions;
import org.hibernate.boot.spi.AdditionalMappingContributor;
import org.hibernate.boot.spi.InFlightMetadataCollector;
import org.hibernate.boot.spi.MetadataBuildingContext;
import org.hibernate.engine.spi.FilterDefinition;
import org.hibernate.mapping.FilterConfiguration;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.metamodel.mapping.JdbcMapping;

/**
 * Gives every entity that has Hibernate's {@code @TenantId} filter a multi-valued twin, {@value #FILTER_NAME}: the
 * condition {@code <tenant column> in (:tenants)} on the same column, applied by Hibernate at exactly the places the
 * {@code @TenantId} filter is (entity queries, joins, subqueries, loads by key). Cross-shard query sessions enable it
 * with the tenants they may read on a shard; nothing else does, so it changes nothing for ordinary sessions.
 * Registered through {@code META-INF/services/org.hibernate.boot.spi.AdditionalMappingContributor}; inactive for
 * persistence units that Shardwise does not route.
 */
public final class TenantRestrictionContributor implements AdditionalMappingContributor {
	/** Name of the filter. */
	public static final String FILTER_NAME = "shardwise_tenants";
	/** Its parameter: the list of tenant ids. */
	public static final String PARAMETER_NAME = "shardwiseTenants";

	private static final String TENANT_ID_SUFFIX = " = :" + TenantIdBinder.PARAMETER_NAME;

	@Override
	public String getContributorName() {
		return "shardwise";
	}

	@Override
	public void contribute(AdditionalMappingContributions contributions, InFlightMetadataCollector metadata,
			ResourceStreamLocator resourceStreamLocator, MetadataBuildingContext buildingContext) {
		Map<String, Object> settings = buildingContext.getBootstrapContext().getConfigurationService().getSettings();
		if ( !ShardwiseServiceContributor.isActive( settings ) ) {
			return;
		}
		FilterDefinition tenantId = metadata.getFilterDefinition( TenantIdBinder.FILTER_NAME );
		if ( tenantId == null || metadata.getFilterDefinition( FILTER_NAME ) != null ) {
			return;
		}
		JdbcMapping type = tenantId.getParameterJdbcMapping( TenantIdBinder.PARAMETER_NAME );
		metadata.addFilterDefinition( new FilterDefinition( FILTER_NAME, "", false, true, Map.of( PARAMETER_NAME, type ), Map.of() ) );
		for ( PersistentClass entity : metadata.getEntityBindingMap().values() ) {
			for ( FilterConfiguration filter : entity.getFilters() ) {
				if ( TenantIdBinder.FILTER_NAME.equals( filter.getName() ) && filter.getCondition().endsWith( TENANT_ID_SUFFIX ) ) {
					String column = filter.getCondition().substring( 0, filter.getCondition().length() - TENANT_ID_SUFFIX.length() );
					entity.addFilter( FILTER_NAME, column + " in (:" + PARAMETER_NAME + ")", true, Map.of(), Map.of() );
					break;
				}
			}
		}
	}

	/** Whether the entity carries the tenant restriction (i.e. has a {@code @TenantId} attribute). */
	public static boolean isRestricted(PersistentClass entity) {
		return entity.getFilters().stream().anyMatch( f -> FILTER_NAME.equals( f.getName() ) );
	}
}
