package io.shardwise.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.shardwise.TopologyException;
import io.shardwise.topology.Credentials;
import io.shardwise.topology.Endpoint;
import io.shardwise.topology.PlacementStatus;
import io.shardwise.topology.PoolSettings;
import io.shardwise.topology.Shard;
import io.shardwise.topology.ShardStatus;
import io.shardwise.topology.TenantPlacement;
import io.shardwise.topology.TenantTier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileTopologyStoreTest {
	private static final String SECRET = "hunter2-in-file";

	@TempDir
	Path dir;

	// ---- valid files ----

	@Test
	void loadsTheYamlExampleFromTheClassPath() {
		try ( FileTopologyStore store = FileTopologyStore.load( "topologies/valid.yaml" ) ) {
			assertThat( store.shards() ).containsExactly( expectedEu1(), expectedEu2() );
			assertThat( store.placements() ).containsExactly(
					TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ),
					new TenantPlacement( "globex", "eu-2", TenantTier.LARGE, PlacementStatus.READ_ONLY, 7 ),
					TenantPlacement.of( "initech", "eu-1", TenantTier.SMALL ) );
			assertThat( store.source() ).contains( "topologies/valid.yaml" );
		}
	}

	@Test
	void theJsonExampleDefinesTheSameTopology() {
		try ( FileTopologyStore yaml = FileTopologyStore.load( "classpath:topologies/valid.yaml" );
				FileTopologyStore json = FileTopologyStore.load( "classpath:/topologies/valid.json" ) ) {
			assertThat( json.shards() ).containsExactlyElementsOf( yaml.shards() );
			assertThat( json.placements() ).containsExactlyElementsOf( yaml.placements() );
		}
	}

	@Test
	void loadsFromTheFileSystemWhenNotOnTheClassPath() throws IOException {
		Path file = write( "topology.yml", "shards:\n  - { name: solo, write: \"jdbc:h2:mem:solo\" }\n" );

		try ( FileTopologyStore byString = FileTopologyStore.load( file.toString() );
				FileTopologyStore byPath = FileTopologyStore.load( file ) ) {
			Shard solo = Shard.builder( "solo" ).write( "jdbc:h2:mem:solo" ).build();
			assertThat( byString.shards() ).containsExactly( solo );
			assertThat( byPath.shards() ).containsExactly( solo );
			assertThat( byString.placements() ).isEmpty();
			assertThat( byString.source() ).contains( file.toAbsolutePath().toString() );
		}
	}

	@Test
	void passwordReferencesStayReferencesAndResolveFromSystemProperties() {
		System.setProperty( "SW_TEST_EU1_PASSWORD", "from-system-property" );
		try ( FileTopologyStore store = FileTopologyStore.load( "topologies/valid.yaml" ) ) {
			Shard eu1 = store.findShard( "eu-1" ).orElseThrow();
			assertThat( eu1.credentials().password().raw() ).isEqualTo( "${SW_TEST_EU1_PASSWORD}" );
			assertThat( eu1.credentials().password().reveal() ).isEqualTo( "from-system-property" );
			Shard eu2 = store.findShard( "eu-2" ).orElseThrow();
			assertThat( eu2.credentialsFor( eu2.write() ).password().reveal() ).isEqualTo( "eu2-default" );
			assertThat( store.toString() + store.shards() ).doesNotContain( "from-system-property" );
		}
		finally {
			System.clearProperty( "SW_TEST_EU1_PASSWORD" );
		}
	}

	@Test
	void changesStayInMemoryAndNeverTouchTheFile() throws IOException {
		String text = "shards:\n  - { name: eu-1, write: \"jdbc:h2:mem:a\" }\n";
		Path file = write( "t.yaml", text );
		try ( FileTopologyStore store = FileTopologyStore.load( file ) ) {
			store.placeIfAbsent( TenantPlacement.of( "acme", "eu-1", TenantTier.SMALL ) );
			store.addShard( Shard.builder( "eu-2" ).write( "jdbc:h2:mem:b" ).build() );
			assertThat( store.findPlacement( "acme" ) ).isPresent();
		}
		assertThat( Files.readString( file ) ).isEqualTo( text );
		try ( FileTopologyStore reloaded = FileTopologyStore.load( file ) ) {
			assertThat( reloaded.findPlacement( "acme" ) ).isEmpty();
			assertThat( reloaded.shards() ).hasSize( 1 );
		}
	}

	// ---- missing files ----

	@Test
	void aMissingFileNamesWhereItWasLookedFor() {
		Path missing = dir.resolve( "nope.yaml" );
		assertThatThrownBy( () -> FileTopologyStore.load( missing.toString() ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "was not found" )
				.hasMessageContaining( "class path" )
				.hasMessageContaining( "file system at '" + missing.toAbsolutePath() + "'" );
	}

	@Test
	void aMissingClassPathResourceSaysSo() {
		assertThatThrownBy( () -> FileTopologyStore.load( "classpath:topologies/absent.yaml" ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "'classpath:topologies/absent.yaml' was not found" )
				.hasMessageContaining( "class path for resource 'topologies/absent.yaml'" )
				.hasMessageContaining( "drop the 'classpath:' prefix" );
	}

	@Test
	void theExtensionMustNameTheFormat() throws IOException {
		Path file = write( "topology.txt", "shards: []\n" );
		assertThatThrownBy( () -> FileTopologyStore.load( file ) )
				.isInstanceOf( TopologyException.class )
				.hasMessageContaining( "must end with .json, .yaml or .yml" )
				.hasMessageContaining( "'topology.txt'" );
	}

	// ---- malformed files ----

	@Test
	void badYamlSyntaxNamesLineAndColumn() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - name: eu-1
				     write: "jdbc:h2:mem:a"
				""" );
		assertThat( e ).hasMessageContaining( "is invalid at shards[0] (line 3, column 11): not valid YAML: mapping values are not allowed here" );
	}

	@Test
	void anUnterminatedYamlPasswordIsNotQuoted() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - name: eu-1
				    credentials: { username: app, password: "%s }
				    write: "jdbc:h2:mem:a"
				""".formatted( SECRET ) );
		assertThat( e ).hasMessageContaining( "not valid YAML" ).hasMessageContaining( "line " );
		assertNoSecret( e );
	}

	@Test
	void badJsonSyntaxNamesLineAndColumn() throws IOException {
		TopologyException e = loadFails( "t.json", """
				{
				  "shards": [
				    { "name": "eu-1",, "write": "jdbc:h2:mem:a" }
				  ]
				}
				""" );
		assertThat( e ).hasMessageContaining( "is invalid at shards[0] (line 3, column 22): not valid JSON: Unexpected character (','" );
	}

	@Test
	void aBadJsonTokenOnAPasswordLineIsMasked() throws IOException {
		TopologyException e = loadFails( "t.json", """
				{ "shards": [ { "name": "eu-1", "write": "jdbc:h2:mem:a",
				  "credentials": { "username": "app", "password": %s } } ] }
				""".formatted( SECRET ) );
		assertThat( e ).hasMessageContaining( "line 2" ).hasMessageContaining( "not valid JSON" );
		assertNoSecret( e );
	}

	@Test
	void anUnknownFieldIsNamedWithTheAllowedOnes() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - name: eu-1
				    writ: "jdbc:h2:mem:a"
				""" );
		assertThat( e )
				.hasMessageContaining( "is invalid at shards[0].writ (line 3, column " )
				.hasMessageContaining( "unknown field 'writ'" )
				.hasMessageContaining( "analytics, capacityWeight, credentials, name, pool, read, status, write" )
				.hasMessageContaining( "correct its spelling" );
	}

	@Test
	void aMissingWriteEndpointIsNamed() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - name: eu-1
				    write: "jdbc:h2:mem:a"
				  - name: eu-2
				    read: [ "jdbc:h2:mem:b" ]
				""" );
		assertThat( e )
				.hasMessageContaining( "is invalid at shards[1].write (line 4, column " )
				.hasMessageContaining( "the write endpoint (the shard's primary) must be set, but was missing" );
	}

	@Test
	void aMissingEndpointUrlIsNamed() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - name: eu-1
				    write: "jdbc:h2:mem:a"
				    read:
				      - "jdbc:h2:mem:r1"
				      - { username: app, password: "%s" }
				""".formatted( SECRET ) );
		assertThat( e )
				.hasMessageContaining( "is invalid at shards[0].read[1].url (line 6, column " )
				.hasMessageContaining( "the JDBC URL must be set, but was missing" );
		assertNoSecret( e );
	}

	@Test
	void anEndpointMustBeAJdbcUrl() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - name: eu-1
				    write: "postgresql://db1/app?password=%s"
				""".formatted( SECRET ) );
		assertThat( e )
				.hasMessageContaining( "is invalid at shards[0].write" )
				.hasMessageContaining( "must start with 'jdbc:'" );
		assertNoSecret( e );
	}

	@Test
	void aTenantOnAnUnknownShardIsNamedWithTheDefinedShards() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - { name: eu-1, write: "jdbc:h2:mem:a" }
				  - { name: eu-2, write: "jdbc:h2:mem:b" }
				tenants:
				  - { id: acme, shard: eu-1 }
				  - { id: globex, shard: eu-9 }
				""" );
		assertThat( e )
				.hasMessageContaining( "is invalid at tenants[1].shard (line 6, column " )
				.hasMessageContaining( "must name a shard defined in this file, but was 'eu-9'; defined shards: eu-1, eu-2" );
	}

	@Test
	void aTenantWithoutShardIsNamed() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards: []
				tenants:
				  - { id: acme }
				""" );
		assertThat( e ).hasMessageContaining( "is invalid at tenants[0].shard" ).hasMessageContaining( "must be set, but was missing" );
	}

	@Test
	void aDuplicateShardNamesBothPlaces() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - { name: eu-1, write: "jdbc:h2:mem:a" }
				  - { name: eu-2, write: "jdbc:h2:mem:b" }
				  - { name: eu-1, write: "jdbc:h2:mem:c" }
				""" );
		assertThat( e )
				.hasMessageContaining( "is invalid at shards[2].name (line 4, column " )
				.hasMessageContaining( "shard names must be unique, but 'eu-1' is also the name of shards[0] (line 2, column " )
				.hasMessageContaining( "rename or remove one" );
	}

	@Test
	void aTenantPlacedTwiceNamesBothPlaces() throws IOException {
		TopologyException e = loadFails( "t.json", """
				{ "shards": [ { "name": "eu-1", "write": "jdbc:h2:mem:a" } ],
				  "tenants": [ { "id": "acme", "shard": "eu-1" },
				               { "id": "acme", "shard": "eu-1", "tier": "LARGE" } ] }
				""" );
		assertThat( e )
				.hasMessageContaining( "is invalid at tenants[1].id (line 3, column " )
				.hasMessageContaining( "'acme' is also placed by tenants[0] (line 2, column " );
	}

	@Test
	void aBadEnumValueListsTheAllowedOnes() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - name: eu-1
				    status: ACTIV
				    write: "jdbc:h2:mem:a"
				""" );
		assertThat( e )
				.hasMessageContaining( "is invalid at shards[0].status (line 3, column 13)" )
				.hasMessageContaining( "must be one of ACTIVE, READ_ONLY, DRAINING, OFFLINE, but was 'ACTIV'" );
	}

	@Test
	void aBadTierListsTheAllowedOnes() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards: [ { name: eu-1, write: "jdbc:h2:mem:a" } ]
				tenants: [ { id: acme, shard: eu-1, tier: HUGE } ]
				""" );
		assertThat( e )
				.hasMessageContaining( "is invalid at tenants[0].tier (line 2" )
				.hasMessageContaining( "must be one of SMALL, MEDIUM, LARGE, but was 'HUGE'" );
	}

	@Test
	void aBadDurationShowsTheAcceptedForms() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - name: eu-1
				    write: "jdbc:h2:mem:a"
				    pool:
				      maxLifetime: 30 minutes
				""" );
		assertThat( e )
				.hasMessageContaining( "is invalid at shards[0].pool.maxLifetime (line 5, column 20)" )
				.hasMessageContaining( "must be a duration such as 500ms, 30s, 5m, 1h or PT30S, but was '30 minutes'" );
	}

	@Test
	void aPoolSettingOutOfRangeIsNamed() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - name: eu-1
				    write: "jdbc:h2:mem:a"
				    pool: { maxLifetime: 10s }
				""" );
		assertThat( e )
				.hasMessageContaining( "is invalid at shards[0].pool (line 4, column " )
				.hasMessageContaining( "maxLifetime must be at least 30s (HikariCP's minimum), but was PT10S" );
	}

	@Test
	void aNonNumericCountIsNamed() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - name: eu-1
				    write: "jdbc:h2:mem:a"
				    capacityWeight: lots
				""" );
		assertThat( e )
				.hasMessageContaining( "is invalid at shards[0].capacityWeight (line 4, column " )
				.hasMessageContaining( "must be a whole number, but was 'lots'" );
	}

	@Test
	void anInvalidTenantIdIsNamed() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards: [ { name: eu-1, write: "jdbc:h2:mem:a" } ]
				tenants:
				  - { id: acme, shard: eu-1 }
				  - { id: " padded ", shard: eu-1 }
				""" );
		assertThat( e )
				.hasMessageContaining( "is invalid at tenants[1].id (line 4, column " )
				.hasMessageContaining( "tenant id must not start or end with whitespace, but was ' padded '" );
	}

	@Test
	void anInvalidShardNameIsNamed() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards: [ { name: "eu 1", write: "jdbc:h2:mem:a" } ]
				""" );
		assertThat( e )
				.hasMessageContaining( "is invalid at shards[0].name (line 1, column " )
				.hasMessageContaining( "shard name must be 1 to 64 characters of [A-Za-z0-9._-], but was 'eu 1'" );
	}

	@Test
	void aDuplicateKeyIsAnError() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  - name: eu-1
				    write: "jdbc:h2:mem:a"
				    name: eu-2
				""" );
		assertThat( e ).hasMessageContaining( "line 4" ).hasMessageContaining( "Duplicate field 'name'" );
	}

	@Test
	void aValueOfTheWrongShapeIsNamed() throws IOException {
		TopologyException e = loadFails( "t.yaml", """
				shards:
				  name: eu-1
				""" );
		assertThat( e ).hasMessageContaining( "is invalid at shards (line 2, column " ).hasMessageContaining( "must be a list, but was a mapping" );
	}

	@Test
	void anEmptyFileOrOneWithoutShardsIsNamed() throws IOException {
		assertThat( loadFails( "empty.yaml", "# nothing here\n" ) )
				.hasMessageContaining( "must contain a 'shards' list" );
		assertThat( loadFails( "blank.json", "  \n" ) )
				.hasMessageContaining( "must contain a 'shards' list, but the file is empty" );
		assertThat( loadFails( "tenants-only.yaml", "tenants: []\n" ) )
				.hasMessageContaining( "must contain a 'shards' list, but it is missing" );
	}

	private TopologyException loadFails(String fileName, String text) throws IOException {
		Path file = write( fileName, text );
		Throwable thrown = org.assertj.core.api.Assertions.catchThrowable( () -> FileTopologyStore.load( file.toString() ) );
		assertThat( thrown ).isInstanceOf( TopologyException.class );
		assertThat( thrown.getMessage() ).startsWith( "topology file '" + file.toAbsolutePath() + "'" );
		return (TopologyException) thrown;
	}

	private static void assertNoSecret(Throwable e) {
		for ( Throwable t = e; t != null; t = t.getCause() ) {
			assertThat( t.getMessage() ).doesNotContain( SECRET );
		}
	}

	private Path write(String fileName, String text) throws IOException {
		return Files.writeString( dir.resolve( fileName ), text );
	}

	private static Shard expectedEu1() {
		return Shard.builder( "eu-1" )
				.capacityWeight( 2 )
				.credentials( Credentials.of( "app", "${SW_TEST_EU1_PASSWORD}" ) )
				.write( "jdbc:postgresql://db1/app" )
				.addRead( "jdbc:postgresql://db1-replica/app" )
				.analytics( Endpoint.of( "jdbc:postgresql://db1-analytics/app" ) )
				.pool( PoolSettings.builder()
						.maximumPoolSize( 20 )
						.minimumIdle( 2 )
						.maxLifetime( Duration.ofMinutes( 30 ) )
						.connectionTimeout( Duration.ofSeconds( 5 ) )
						.idleTimeout( Duration.ofMinutes( 10 ) )
						.build() )
				.build();
	}

	private static Shard expectedEu2() {
		return Shard.builder( "eu-2" )
				.status( ShardStatus.DRAINING )
				.write( Endpoint.of( "jdbc:postgresql://db2/app", Credentials.of( "app2", "${SW_TEST_EU2_PASSWORD:eu2-default}" ) ) )
				.addRead( "jdbc:postgresql://db2-replica/app" )
				.build();
	}
}
