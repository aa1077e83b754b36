package io.shardwise.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.shardwise.ShardwiseException;
import io.shardwise.TenantIds;
import io.shardwise.TopologyException;
import io.shardwise.internal.Checks;
import io.shardwise.store.TopologyFormat.Document;
import io.shardwise.store.TopologyFormat.InvalidValueException;
import io.shardwise.store.TopologyFormat.Located;
import io.shardwise.store.TopologyFormat.ShardDef;
import io.shardwise.store.TopologyFormat.TenantDef;
import io.shardwise.topology.PlacementStatus;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Finds, reads and checks a topology file (the format is described on {@link FileTopologyStore}). Every problem
 * becomes a {@link TopologyException} naming the file, where in it (line and column, or a path such as
 * {@code shards[2].write}) and what to fix; values of password fields never appear in a message.
 */
final class TopologyFileReader {
	private static final String CLASSPATH_PREFIX = "classpath:";
	private static final ObjectMapper JSON = TopologyFormat.strictJson();
	private static final ObjectMapper YAML = TopologyFormat.strictYaml();
	private static final Pattern SECRET_WORDS = Pattern.compile( "(?i)password|secret" );
	private static final Pattern TOKEN = Pattern.compile( "JsonToken\\.([A-Z_]+)" );
	private static final Pattern QUOTED = Pattern.compile( "'[^'\\n]*'|\"[^\"\\n]*\"|`[^`\\n]*`" );

	/** A file's text and how to name it in messages. */
	record Source(String description, String fileName, String text) {
	}

	/** What a file defines, checked: shard names are unique, tenants are placed once on defined shards. */
	record Topology(List<Shard> shards, List<TenantPlacement> placements) {
	}

	private final Source source;
	private Document document;

	private TopologyFileReader(Source source) {
		this.source = source;
	}

	static Topology read(Source source) {
		return new TopologyFileReader( source ).parse();
	}

	// ---- finding and reading ----

	/**
	 * Finds a file on the class path (a leading {@code classpath:} restricts the search to it), then on the file
	 * system.
	 */
	static Source locate(String location) {
		if ( location == null || location.isBlank() ) {
			throw new TopologyException( "topology file location must be a class path resource or a file path, but was "
					+ Checks.quote( location ) );
		}
		String trimmed = location.trim();
		boolean classPathOnly = trimmed.regionMatches( true, 0, CLASSPATH_PREFIX, 0, CLASSPATH_PREFIX.length() );
		String path = classPathOnly ? trimmed.substring( CLASSPATH_PREFIX.length() ).trim() : trimmed;
		String resource = path.startsWith( "/" ) ? path.substring( 1 ) : path;
		URL url = findResource( resource );
		if ( url != null ) {
			return read( url, resource );
		}
		if ( classPathOnly ) {
			throw new TopologyException( "topology file " + Checks.quote( trimmed ) + " was not found: looked on the class "
					+ "path for resource '" + resource + "'. Put the file on the class path (e.g. src/main/resources/"
					+ resource + ") or drop the 'classpath:' prefix to read it from the file system" );
		}
		Path file;
		try {
			file = Path.of( path );
		}
		catch (InvalidPathException e) {
			throw new TopologyException( "topology file " + Checks.quote( trimmed ) + " was not found: looked on the class "
					+ "path for resource '" + resource + "', and it is not a valid file system path (" + e.getReason() + ")" );
		}
		if ( !Files.isRegularFile( file ) ) {
			throw new TopologyException( "topology file " + Checks.quote( trimmed ) + " was not found: looked on the class "
					+ "path for resource '" + resource + "' and on the file system at '" + file.toAbsolutePath()
					+ "'. Check the location (a class path resource or a file path)" );
		}
		return read( file );
	}

	static Source read(Path file) {
		Path absolute = file.toAbsolutePath();
		String description = "'" + absolute + "'";
		if ( !Files.isRegularFile( absolute ) ) {
			throw new TopologyException( "topology file " + description + " was not found: it must be a readable file" );
		}
		try {
			return new Source( description, absolute.getFileName().toString(), decode( Files.readAllBytes( absolute ), description ) );
		}
		catch (IOException e) {
			throw new TopologyException( "topology file " + description + " could not be read: " + e, e );
		}
	}

	private static Source read(URL url, String resource) {
		String description = "'" + resource + "' (class path: " + url + ")";
		try ( InputStream in = url.openStream() ) {
			String fileName = resource.substring( resource.lastIndexOf( '/' ) + 1 );
			return new Source( description, fileName, decode( in.readAllBytes(), description ) );
		}
		catch (IOException e) {
			throw new TopologyException( "topology file " + description + " could not be read: " + e, e );
		}
	}

	private static URL findResource(String resource) {
		if ( resource.isEmpty() ) {
			return null;
		}
		ClassLoader context = Thread.currentThread().getContextClassLoader();
		URL url = context == null ? null : context.getResource( resource );
		if ( url == null ) {
			url = TopologyFileReader.class.getClassLoader().getResource( resource );
		}
		return url;
	}

	private static String decode(byte[] bytes, String description) {
		try {
			return StandardCharsets.UTF_8.newDecoder()
					.onMalformedInput( CodingErrorAction.REPORT )
					.onUnmappableCharacter( CodingErrorAction.REPORT )
					.decode( ByteBuffer.wrap( bytes ) )
					.toString();
		}
		catch (CharacterCodingException e) {
			throw new TopologyException( "topology file " + description + " must be UTF-8 text, but is not: save it as UTF-8" );
		}
	}

	// ---- parsing ----

	private Topology parse() {
		ObjectMapper mapper = mapperFor( source.fileName() );
		if ( source.text().isBlank() ) {
			throw invalid( "the top level", "must contain a 'shards' list, but the file is empty" );
		}
		try {
			document = mapper.readValue( source.text(), Document.class );
		}
		catch (JsonProcessingException e) {
			throw translate( e, mapper == YAML ? "YAML" : "JSON" );
		}
		if ( document == null || document.shards == null ) {
			throw invalid( "the top level", "must contain a 'shards' list, but it is missing: add one "
					+ "(it may be empty: 'shards: []')" );
		}
		try {
			Map<String, Integer> shardIndexes = new LinkedHashMap<>();
			List<Shard> shards = new ArrayList<>();
			for ( int i = 0; i < document.shards.size(); i++ ) {
				Shard shard = shard( document.shards.get( i ), "shards[" + i + "]", shardIndexes );
				shardIndexes.put( shard.name(), i );
				shards.add( shard );
			}
			List<TenantPlacement> placements = new ArrayList<>();
			if ( document.tenants != null ) {
				Map<String, Integer> tenantIndexes = new LinkedHashMap<>();
				for ( int i = 0; i < document.tenants.size(); i++ ) {
					TenantDef def = document.tenants.get( i );
					TenantPlacement placement = placement( def, "tenants[" + i + "]", shardIndexes.keySet(), tenantIndexes );
					tenantIndexes.put( placement.tenantId(), i );
					placements.add( placement );
				}
			}
			return new Topology( List.copyOf( shards ), List.copyOf( placements ) );
		}
		catch (InvalidValueException e) {
			throw invalid( e.path + ( e.at == null ? "" : e.at.position() ), e.getMessage() );
		}
	}

	private static ObjectMapper mapperFor(String fileName) {
		String name = fileName.toLowerCase( Locale.ROOT );
		if ( name.endsWith( ".json" ) ) {
			return JSON;
		}
		if ( name.endsWith( ".yaml" ) || name.endsWith( ".yml" ) ) {
			return YAML;
		}
		throw new TopologyException( "topology file name must end with .json, .yaml or .yml (which selects the format), "
				+ "but was '" + fileName + "': rename the file" );
	}

	private Shard shard(ShardDef def, String path, Map<String, Integer> defined) {
		if ( def == null ) {
			throw new InvalidValueException( path, null, "must be a shard with at least a name and a write endpoint, "
					+ "but was empty", null );
		}
		if ( def.name == null ) {
			throw new InvalidValueException( path + ".name", def, "must be set, but was missing: name each shard", null );
		}
		try {
			Checks.shardName( def.name );
		}
		catch (IllegalArgumentException e) {
			throw new InvalidValueException( path + ".name", def, e.getMessage(), e );
		}
		Integer first = defined.get( def.name );
		if ( first != null ) {
			throw new InvalidValueException( path + ".name", def, "shard names must be unique, but '" + def.name
					+ "' is also the name of shards[" + first + "]" + positionOf( "shards", first ) + ": rename or remove one", null );
		}
		if ( def.capacityWeight != null && def.capacityWeight <= 0 ) {
			throw new InvalidValueException( path + ".capacityWeight", def, "capacityWeight must be greater than 0, but was "
					+ def.capacityWeight, null );
		}
		return TopologyFormat.toShard( def, path, def.name, def.status == null ? ShardStatus.ACTIVE : def.status,
				def.capacityWeight == null ? 1 : def.capacityWeight, 1 );
	}

	private TenantPlacement placement(TenantDef def, String path, Collection<String> shards, Map<String, Integer> placed) {
		if ( def == null ) {
			throw new InvalidValueException( path, null, "must be a tenant with at least an id and a shard, but was empty", null );
		}
		if ( def.id == null ) {
			throw new InvalidValueException( path + ".id", def, "must be set, but was missing: give each tenant its id", null );
		}
		try {
			TenantIds.validate( def.id );
		}
		catch (ShardwiseException e) {
			throw new InvalidValueException( path + ".id", def, e.getMessage(), e );
		}
		Integer first = placed.get( def.id );
		if ( first != null ) {
			throw new InvalidValueException( path + ".id", def, "each tenant must be placed once, but "
					+ Checks.quote( def.id ) + " is also placed by tenants[" + first + "]" + positionOf( "tenants", first )
					+ ": remove one", null );
		}
		if ( def.shard == null ) {
			throw new InvalidValueException( path + ".shard", def, "must be set, but was missing: name the shard of tenant "
					+ Checks.quote( def.id ), null );
		}
		if ( !shards.contains( def.shard ) ) {
			throw new InvalidValueException( path + ".shard", def, "must name a shard defined in this file, but was "
					+ Checks.quote( def.shard ) + "; defined shards: " + ( shards.isEmpty() ? "none" : String.join( ", ", shards ) ), null );
		}
		long version = def.version == null ? 1 : def.version;
		try {
			return new TenantPlacement( def.id, def.shard, def.tier == null ? TenantTier.SMALL : def.tier,
					def.status == null ? PlacementStatus.ACTIVE : def.status, version );
		}
		catch (RuntimeException e) {
			throw new InvalidValueException( path, def, e.getMessage(), e );
		}
	}

	/** Where an earlier entry is, e.g. {@code " (line 3, column 5)"}; empty if unknown. */
	private String positionOf(String list, int index) {
		Located entry = list.equals( "shards" ) ? document.shards.get( index ) : document.tenants.get( index );
		return entry == null ? "" : entry.position();
	}

	// ---- messages ----

	private TopologyException invalid(String where, String problem) {
		return new TopologyException( "topology file " + source.description() + " is invalid at " + where + ": " + problem );
	}

	private TopologyException translate(JsonProcessingException e, String format) {
		String path = e instanceof DatabindException ? path( (JsonMappingException) e ) : "";
		int line = 0;
		int column = 0;
		String problem;
		boolean mayQuoteText;
		MarkedYAMLException yaml = cause( e, MarkedYAMLException.class );
		StreamReadException syntax = syntaxError( e );
		if ( yaml != null ) {
			// SnakeYAML's own message quotes the offending lines: use its parts without the snippets
			Mark mark = yaml.getProblemMark() != null ? yaml.getProblemMark() : yaml.getContextMark();
			if ( mark != null ) {
				line = mark.getLine() + 1;
				column = mark.getColumn() + 1;
			}
			problem = "not valid YAML: " + firstLine( yaml.getProblem() )
					+ ( yaml.getContext() == null ? "" : " (" + firstLine( yaml.getContext() ) + ")" );
			mayQuoteText = true;
		}
		else {
			JsonProcessingException located = syntax != null ? syntax : e;
			JsonLocation location = located.getLocation() != null ? located.getLocation() : e.getLocation();
			if ( location != null && location.getLineNr() > 0 ) {
				line = location.getLineNr();
				column = location.getColumnNr();
			}
			problem = syntax != null
					? "not valid " + format + ": " + firstLine( syntax.getOriginalMessage() )
					: describe( e );
			mayQuoteText = syntax != null || e instanceof InvalidFormatException;
		}
		String unmasked = problem;
		if ( line > 0 && mentionsSecret( line ) || SECRET_WORDS.matcher( lastSegment( path ) ).find() ) {
			problem = QUOTED.matcher( problem ).replaceAll( "'******'" );
		}
		String position = line > 0 ? "line " + line + ", column " + column : "";
		String where = path.isEmpty() ? ( position.isEmpty() ? "an unknown position" : position )
				: position.isEmpty() ? path : path + " (" + position + ")";
		String message = "topology file " + source.description() + " is invalid at " + where + ": " + problem;
		// the parser's exceptions may quote the file (SnakeYAML prints whole lines): keep them only when harmless
		return yaml == null && ( !mayQuoteText || problem.equals( unmasked ) )
				? new TopologyException( message, e )
				: new TopologyException( message );
	}

	private static String describe(JsonProcessingException e) {
		if ( e instanceof UnrecognizedPropertyException u ) {
			TreeSet<String> known = new TreeSet<>();
			if ( u.getKnownPropertyIds() != null ) {
				u.getKnownPropertyIds().forEach( id -> known.add( String.valueOf( id ) ) );
			}
			return "unknown field '" + u.getPropertyName() + "'; the fields allowed there are " + String.join( ", ", known )
					+ ". Remove it or correct its spelling";
		}
		if ( e instanceof InvalidFormatException f ) {
			return "must be " + expected( f.getTargetType() ) + ", but was " + Checks.quote( f.getValue() );
		}
		if ( e instanceof ValueInstantiationException v && v.getCause() != null ) {
			return firstLine( v.getCause().getMessage() );
		}
		if ( e instanceof MismatchedInputException m ) {
			String actual = actual( m );
			if ( m.getTargetType() == Document.class && actual == null ) {
				return "must contain a 'shards' list, but the file has no content";
			}
			return "must be " + expected( m.getTargetType() ) + ( actual == null ? "" : ", but was " + actual );
		}
		return firstLine( e.getOriginalMessage() );
	}

	private static String expected(Class<?> type) {
		if ( type == null ) {
			return "a valid value";
		}
		if ( type.isEnum() ) {
			return "one of " + String.join( ", ", Arrays.stream( type.getEnumConstants() ).map( String::valueOf ).toList() );
		}
		if ( type == Duration.class ) {
			return "a duration such as 500ms, 30s, 5m, 1h or PT30S";
		}
		if ( type == Integer.class || type == int.class || type == Long.class || type == long.class ) {
			return "a whole number";
		}
		if ( type == String.class ) {
			return "a string";
		}
		if ( List.class.isAssignableFrom( type ) ) {
			return "a list";
		}
		if ( type == TopologyFormat.EndpointDef.class ) {
			return "a JDBC URL or a mapping { url: ..., username: ..., password: ... }";
		}
		if ( type == TopologyFormat.PoolDef.class ) {
			return "a mapping of pool settings (maximumPoolSize, minimumIdle, maxLifetime, connectionTimeout, idleTimeout)";
		}
		if ( type == TopologyFormat.CredentialsDef.class ) {
			return "a mapping { username: ..., password: ... }";
		}
		if ( type == ShardDef.class ) {
			return "a shard mapping (name, write, ...)";
		}
		if ( type == TenantDef.class ) {
			return "a tenant mapping (id, shard, ...)";
		}
		if ( type == Document.class ) {
			return "a mapping with 'shards' and 'tenants'";
		}
		return "a " + type.getSimpleName();
	}

	private static String actual(MismatchedInputException e) {
		// the parser is closed by now: take the token from the message ("... (token `JsonToken.START_OBJECT`)")
		Matcher m = TOKEN.matcher( String.valueOf( e.getOriginalMessage() ) );
		if ( !m.find() ) {
			return null;
		}
		return switch ( m.group( 1 ) ) {
			case "START_OBJECT", "END_OBJECT", "FIELD_NAME" -> "a mapping";
			case "START_ARRAY", "END_ARRAY" -> "a list";
			case "VALUE_STRING" -> "a string";
			case "VALUE_NUMBER_INT" -> "a whole number";
			case "VALUE_NUMBER_FLOAT" -> "a decimal number";
			case "VALUE_TRUE", "VALUE_FALSE" -> "a boolean";
			case "VALUE_NULL" -> "empty (null)";
			default -> null;
		};
	}

	private static String path(JsonMappingException e) {
		StringBuilder sb = new StringBuilder();
		for ( JsonMappingException.Reference reference : e.getPath() ) {
			if ( reference.getFieldName() != null ) {
				sb.append( sb.length() == 0 ? "" : "." ).append( reference.getFieldName() );
			}
			else if ( reference.getIndex() >= 0 ) {
				sb.append( '[' ).append( reference.getIndex() ).append( ']' );
			}
		}
		return sb.toString();
	}

	private static String lastSegment(String path) {
		return path.substring( path.lastIndexOf( '.' ) + 1 );
	}

	private boolean mentionsSecret(int line) {
		String[] lines = source.text().split( "\\R", -1 );
		return line <= lines.length && SECRET_WORDS.matcher( lines[line - 1] ).find();
	}

	private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
		for ( Throwable t = e; t != null && t != t.getCause(); t = t.getCause() ) {
			if ( type.isInstance( t ) ) {
				return type.cast( t );
			}
		}
		return null;
	}

	/** The error of the parser (as opposed to data binding) that {@code e} is or wraps, if any. */
	private static StreamReadException syntaxError(Throwable e) {
		for ( Throwable t = e; t != null && t != t.getCause(); t = t.getCause() ) {
			if ( t instanceof StreamReadException s && !( t instanceof DatabindException ) ) {
				return s;
			}
		}
		return null;
	}

	private static String firstLine(String message) {
		if ( message == null ) {
			return "";
		}
		int newline = message.indexOf( '\n' );
		return ( newline < 0 ? message : message.substring( 0, newline ) ).trim();
	}
}
