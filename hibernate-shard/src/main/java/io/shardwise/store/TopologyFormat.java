package io.shardwise.store;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.shardwise.internal.Checks;
import io.shardwise.internal.Settings;
import io.shardwise.topology.Credentials;
import io.shardwise.topology.Endpoint;
import io.shardwise.topology.PlacementStatus;
import io.shardwise.topology.PoolSettings;
import io.shardwise.topology.Secret;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;
import io.shardwise.topology.TenantTier;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The shape of a topology as written in topology files and, for the connection part of a shard, in the
 * {@code definition} column of the JDBC catalog: data classes bound by Jackson, the mappers, and the conversion to
 * and from the {@link Shard} model. Secrets are carried in their {@linkplain Secret#raw() raw} form.
 */
final class TopologyFormat {
	private TopologyFormat() {
	}

	/** A strict JSON mapper for topology files: unknown fields, duplicate keys and lossy numbers are errors. */
	static ObjectMapper strictJson() {
		return strict( JsonMapper.builder() );
	}

	/** A strict YAML mapper for topology files. */
	static ObjectMapper strictYaml() {
		return strict( YAMLMapper.builder() );
	}

	/**
	 * A JSON mapper for catalog definitions: fields it does not know are skipped, so that a newer version may add
	 * some without breaking older readers.
	 */
	static ObjectMapper lenientJson() {
		return configure( JsonMapper.builder() )
				.disable( DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES )
				.build();
	}

	private static ObjectMapper strict(MapperBuilder<?, ?> builder) {
		return configure( builder )
				.enable( DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES )
				.enable( DeserializationFeature.FAIL_ON_TRAILING_TOKENS )
				.enable( StreamReadFeature.STRICT_DUPLICATE_DETECTION )
				.build();
	}

	private static <M extends ObjectMapper, B extends MapperBuilder<M, B>> MapperBuilder<M, B> configure(
			MapperBuilder<M, B> builder) {
		SimpleModule module = new SimpleModule( "shardwise-topology" );
		module.addDeserializer( Duration.class, new DurationDeserializer() );
		module.addSerializer( Duration.class, ToStringSerializer.instance );
		module.setDeserializerModifier( new BeanDeserializerModifier() {
			@Override
			public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
					JsonDeserializer<?> deserializer) {
				return Located.class.isAssignableFrom( description.getBeanClass() )
						? new LocatingDeserializer( deserializer )
						: deserializer;
			}
		} );
		return builder.addModule( module )
				.enable( MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS )
				.enable( DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS )
				.enable( DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES )
				.disable( DeserializationFeature.ACCEPT_FLOAT_AS_INT )
				.defaultPropertyInclusion( JsonInclude.Value.construct( JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL ) );
	}

	// ---- data classes ----

	/** Something that remembers where in a file it started. */
	abstract static class Located {
		int line;
		int column;

		/** {@code " (line 3, column 5)"}, or empty when not read from text. */
		String position() {
			return line <= 0 ? "" : " (line " + line + ", column " + column + ")";
		}
	}

	/** A whole topology file. */
	static final class Document {
		public List<ShardDef> shards;
		public List<TenantDef> tenants;
	}

	@JsonPropertyOrder({ "name", "status", "capacityWeight", "credentials", "write", "read", "analytics", "pool" })
	static final class ShardDef extends Located {
		public String name;
		public ShardStatus status;
		public Integer capacityWeight;
		public CredentialsDef credentials;
		public EndpointDef write;
		@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
		public List<EndpointDef> read;
		public EndpointDef analytics;
		public PoolDef pool;
	}

	@JsonPropertyOrder({ "username", "password" })
	static final class CredentialsDef {
		public String username;
		public String password;
	}

	/** An endpoint: a JDBC URL string, or a mapping with {@code url} and optional {@code username}, {@code password}. */
	@JsonPropertyOrder({ "url", "username", "password" })
	static final class EndpointDef extends Located {
		public String url;
		public String username;
		public String password;

		EndpointDef() {
		}

		@JsonCreator(mode = JsonCreator.Mode.DELEGATING)
		static EndpointDef ofUrl(String url) {
			EndpointDef endpoint = new EndpointDef();
			endpoint.url = url;
			return endpoint;
		}
	}

	@JsonPropertyOrder({ "maximumPoolSize", "minimumIdle", "maxLifetime", "connectionTimeout", "idleTimeout" })
	static final class PoolDef extends Located {
		public Integer maximumPoolSize;
		public Integer minimumIdle;
		public Duration maxLifetime;
		public Duration connectionTimeout;
		public Duration idleTimeout;
	}

	static final class TenantDef extends Located {
		public String id;
		public String shard;
		public TenantTier tier;
		public PlacementStatus status;
		public Long version;
	}

	// ---- conversion ----

	/** A value that cannot be turned into the model; {@code path} is like {@code shards[2].write}. */
	static final class InvalidValueException extends RuntimeException {
		final String path;
		final transient Located at;

		InvalidValueException(String path, Located at, String message, Throwable cause) {
			super( message, cause, false, false );
			this.path = path;
			this.at = at;
		}
	}

	/**
	 * Builds a shard from the connection part of {@code def} (credentials, endpoints, pool) and the given identity.
	 *
	 * @param path where {@code def} is, for messages
	 * @throws InvalidValueException naming the path of the offending value
	 */
	static Shard toShard(ShardDef def, String path, String name, ShardStatus status, int capacityWeight, long version) {
		Shard.Builder builder;
		try {
			builder = Shard.builder( name ).status( status ).capacityWeight( capacityWeight ).version( version );
		}
		catch (IllegalArgumentException e) {
			throw new InvalidValueException( path, def, e.getMessage(), e );
		}
		if ( def.credentials != null ) {
			builder.credentials( Credentials.of( def.credentials.username, Secret.of( def.credentials.password ) ) );
		}
		if ( def.write == null ) {
			throw new InvalidValueException( path + ".write", def, "the write endpoint (the shard's primary) must be set, "
					+ "but was missing: add e.g. write: \"jdbc:postgresql://db-host/app\"", null );
		}
		builder.write( toEndpoint( def.write, path + ".write" ) );
		if ( def.read != null ) {
			for ( int i = 0; i < def.read.size(); i++ ) {
				builder.addRead( toEndpoint( def.read.get( i ), path + ".read[" + i + "]" ) );
			}
		}
		if ( def.analytics != null ) {
			builder.analytics( toEndpoint( def.analytics, path + ".analytics" ) );
		}
		if ( def.pool != null ) {
			builder.pool( toPool( def.pool, path + ".pool" ) );
		}
		try {
			return builder.build();
		}
		catch (IllegalArgumentException e) {
			throw new InvalidValueException( path, def, e.getMessage(), e );
		}
	}

	private static Endpoint toEndpoint(EndpointDef def, String path) {
		if ( def == null ) {
			throw new InvalidValueException( path, null, "an endpoint must be a JDBC URL or a mapping with 'url', "
					+ "but was empty", null );
		}
		if ( def.url == null || def.url.isBlank() ) {
			throw new InvalidValueException( path + ".url", def, "the JDBC URL must be set, but was "
					+ ( def.url == null ? "missing" : Checks.quote( def.url ) )
					+ ": give the endpoint as a string \"jdbc:...\" or as { url: \"jdbc:...\", username: ..., password: ... }", null );
		}
		try {
			Credentials credentials = def.username == null && def.password == null
					? null
					: Credentials.of( def.username, Secret.of( def.password ) );
			return Endpoint.of( def.url.trim(), credentials );
		}
		catch (IllegalArgumentException e) {
			throw new InvalidValueException( path, def, e.getMessage(), e );
		}
	}

	private static PoolSettings toPool(PoolDef def, String path) {
		try {
			return PoolSettings.builder()
					.maximumPoolSize( def.maximumPoolSize )
					.minimumIdle( def.minimumIdle )
					.maxLifetime( def.maxLifetime )
					.connectionTimeout( def.connectionTimeout )
					.idleTimeout( def.idleTimeout )
					.build();
		}
		catch (IllegalArgumentException e) {
			throw new InvalidValueException( path, def, e.getMessage(), e );
		}
	}

	/** The connection part of a shard (no name, status, weight or version), with secrets in raw form. */
	static ShardDef definitionOf(Shard shard) {
		ShardDef def = new ShardDef();
		def.credentials = new CredentialsDef();
		def.credentials.username = shard.credentials().username();
		def.credentials.password = shard.credentials().password().raw();
		def.write = endpointDef( shard.write() );
		if ( !shard.reads().isEmpty() ) {
			def.read = new ArrayList<>();
			shard.reads().forEach( e -> def.read.add( endpointDef( e ) ) );
		}
		def.analytics = shard.analytics() == null ? null : endpointDef( shard.analytics() );
		PoolSettings pool = shard.pool();
		if ( !pool.equals( PoolSettings.INHERIT ) ) {
			def.pool = new PoolDef();
			def.pool.maximumPoolSize = pool.maximumPoolSize();
			def.pool.minimumIdle = pool.minimumIdle();
			def.pool.maxLifetime = pool.maxLifetime();
			def.pool.connectionTimeout = pool.connectionTimeout();
			def.pool.idleTimeout = pool.idleTimeout();
		}
		return def;
	}

	private static EndpointDef endpointDef(Endpoint endpoint) {
		EndpointDef def = EndpointDef.ofUrl( endpoint.jdbcUrl() );
		if ( endpoint.credentials() != null ) {
			def.username = endpoint.credentials().username();
			def.password = endpoint.credentials().password().raw();
		}
		return def;
	}

	// ---- Jackson plumbing ----

	/** Durations as in persistence settings ({@code 500ms}, {@code 30s}, {@code 5m}, {@code PT30S}) or milliseconds. */
	private static final class DurationDeserializer extends StdScalarDeserializer<Duration> {
		DurationDeserializer() {
			super( Duration.class );
		}

		@Override
		public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
			if ( p.hasToken( JsonToken.VALUE_NUMBER_INT ) ) {
				return Duration.ofMillis( p.getLongValue() );
			}
			if ( p.hasToken( JsonToken.VALUE_STRING ) ) {
				String text = p.getText();
				try {
					return Settings.parseDuration( text );
				}
				catch (IllegalArgumentException | ArithmeticException e) {
					return (Duration) ctxt.handleWeirdStringValue( Duration.class, text, "not a duration" );
				}
			}
			return (Duration) ctxt.handleUnexpectedToken( Duration.class, p );
		}
	}

	/** Records in each {@link Located} value the line and column its text starts at. */
	private static final class LocatingDeserializer extends DelegatingDeserializer {
		LocatingDeserializer(JsonDeserializer<?> delegate) {
			super( delegate );
		}

		@Override
		protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
			return new LocatingDeserializer( newDelegatee );
		}

		@Override
		public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
			JsonLocation start = p.currentTokenLocation();
			Object value = super.deserialize( p, ctxt );
			if ( value instanceof Located located && start != null && start.getLineNr() > 0 ) {
				located.line = start.getLineNr();
				located.column = start.getColumnNr();
			}
			return value;
		}
	}
}
