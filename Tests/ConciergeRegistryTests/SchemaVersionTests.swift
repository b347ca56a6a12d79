import ConciergeModelFormat
import ConciergeRegistry
import ConciergeSQLite
import ConciergeTestSupport
import Foundation
import Testing

/// Readers never change the registry, so a schema they do not know is an error that says what to do.
@Suite struct SchemaVersionTests {
    private func registry(withSchemaVersion version: Int) throws -> (ScratchDirectory, ModelRegistry) {
        let scratch = ScratchDirectory()
        let registry = scratch.registry
        try FileManager.default.createDirectory(atPath: registry.directory, withIntermediateDirectories: true)
        try SQLiteDatabase(path: registry.directory + "/registry.sqlite").execute("PRAGMA user_version = \(version)")
        return (scratch, registry)
    }

    @Test func aReaderRefusesAnOlderSchemaAndSaysHowToUpgrade() throws {
        let (scratch, registry) = try registry(withSchemaVersion: 0)
        defer { withExtendedLifetime(scratch) {} }
        let error = #expect(throws: RegistryError.self) { try registry.list() }
        #expect(error?.description.contains("older than this concierge's") == true, "\(String(describing: error))")
        // A writer upgrades it.
        try registry.publish(model: "roomservice", artifacts: sampleArtifacts())
        #expect(try registry.list().map(\.version) == [1])
    }

    @Test func aNewerSchemaIsRefusedByReadersAndWriters() throws {
        let (scratch, registry) = try registry(withSchemaVersion: 99)
        defer { withExtendedLifetime(scratch) {} }
        let read = #expect(throws: RegistryError.self) { try registry.list() }
        #expect(read?.description.contains("newer than this concierge supports") == true, "\(String(describing: read))")
        let write = #expect(throws: RegistryError.self) {
            try registry.publish(model: "roomservice", artifacts: sampleArtifacts())
        }
        #expect(write?.description.contains("newer than this concierge supports") == true)
    }
}

@Suite struct KindCheckTests {
    /// A registry created before EASE existed lists the old kinds in its CHECK; its next writer widens it.
    @Test func aRegistryFromBeforeEaseAcceptsAnEaseVersion() throws {
        let scratch = ScratchDirectory()
        try scratch.registry.publish(model: "m", artifacts: sampleArtifacts(kind: .popular))
        let path = scratch.registry.directory + "/registry.sqlite"
        do {
            let database = try SQLiteDatabase(path: path, mode: .readWrite)
            try database.execute(
                """
                PRAGMA writable_schema = ON;
                UPDATE sqlite_master SET sql = replace(sql, ', ''ease''', '') WHERE name = 'versions';
                PRAGMA schema_version = 1000;
                PRAGMA writable_schema = OFF;
                """)
        }
        try scratch.registry.publish(model: "m", artifacts: sampleArtifacts(kind: .ease))
        #expect(try scratch.registry.open(model: "m", versionOrAlias: "2").kind == .ease)
        #expect(try scratch.registry.verify().isClean)
    }
}
