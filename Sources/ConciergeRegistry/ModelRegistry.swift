import ConciergeDigest
package import ConciergeModelFormat
import ConciergeSQLite

/// The model registry in one folder (`models/` by default): `registry.sqlite` indexes versions,
/// aliases and events; `NAME/VERSION/` folders hold the files (docs/model-format.md).
///
/// A value type holding only the path: every operation opens its own SQLite connection, so registries
/// can be used from any thread, and several processes can share one folder. Publishers serialise on
/// SQLite's write lock; readers never wait for them.
package struct ModelRegistry: Sendable {
    package let directory: String

    /// `directory` is used as given in paths and messages; it is created by the first publish.
    package init(directory: String) {
        var directory = directory
        while directory.count > 1, directory.hasSuffix("/") { directory.removeLast() }
        self.directory = directory
    }

    /// Resolves a version number, an alias, or `latest` (the highest version) to a version number.
    package func resolve(model: String, versionOrAlias: String) throws(RegistryError) -> Int {
        try resolve(
            model: model, versionOrAlias: versionOrAlias, in: RegistryDatabase(directory: directory, access: .read))
    }

    /// Every version, or every version of `model`, by model then version.
    package func list(model: String? = nil) throws(RegistryError) -> [ModelVersion] {
        let database = try RegistryDatabase(directory: directory, access: .read)
        if let model { try requireModel(model, in: database) }
        return try versions(model: model, in: database)
    }

    /// A version's record, its manifest (checked against the database's SHA-256), and its events.
    package func show(model: String, versionOrAlias: String) throws(RegistryError) -> ModelVersionDetails {
        let database = try RegistryDatabase(directory: directory, access: .read)
        let number = try resolve(model: model, versionOrAlias: versionOrAlias, in: database)
        let record = try versions(model: model, version: number, in: database)[0]
        let manifest = try readManifest(model: model, version: number, expectedSHA256: record.manifestSHA256)
        let events = try events(model: model, in: database).filter { $0.version == number }
        return ModelVersionDetails(version: record, manifest: manifest, events: events)
    }

    /// The event log, oldest first; with `model`, only that model's events.
    package func events(model: String? = nil) throws(RegistryError) -> [RegistryEvent] {
        try events(model: model, in: RegistryDatabase(directory: directory, access: .read))
    }

    /// Points `alias` (`production`, `staging`, or any name) at an existing version.
    package func promote(model: String, version: Int, alias: String) throws(RegistryError) {
        try Self.checkName(alias, kind: "alias", pattern: Self.aliasRule, allowed: Self.isAliasName)
        let database = try RegistryDatabase(directory: directory, access: .write)
        try database.transaction { () throws(RegistryError) in
            _ = try resolve(model: model, versionOrAlias: String(version), in: database)
            try moveAlias(alias, of: model, to: version, in: database)
        }
    }

    /// Inside a write transaction: the alias row and its event.
    func moveAlias(
        _ alias: String, of model: String, to version: Int, in database: RegistryDatabase
    ) throws(RegistryError) {
        let previous = try database.rows(
            "SELECT version FROM aliases WHERE model = ? AND alias = ?", .text(model), .text(alias)
        ) { $0.int(0) }.first
        try database.run(
            """
            INSERT INTO aliases (model, alias, version, updated) VALUES (?, ?, ?, ?)
            ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated = excluded.updated
            """, .text(model), .text(alias), .integer(Int64(version)), .text(Timestamp.now()))
        try database.event(
            .promote, model: model, version: version, details: PromoteDetails(alias: alias, previous: previous))
    }

    /// Loads a version for serving: resolves the alias once, checks the manifest against the database
    /// and every file against the manifest, maps the files and builds the id maps.
    package func open(model: String, versionOrAlias: String) throws(RegistryError) -> LoadedModel {
        let (number, manifestSHA256): (Int, String)
        do {
            let database = try RegistryDatabase(directory: directory, access: .read)
            number = try resolve(model: model, versionOrAlias: versionOrAlias, in: database)
            manifestSHA256 = try versions(model: model, version: number, in: database)[0].manifestSHA256
        }
        let manifest = try readManifest(model: model, version: number, expectedSHA256: manifestSHA256)
        do throws(ModelFileError) {
            return try LoadedModel(
                directory: versionDirectory(model: model, version: number), model: model, version: number,
                manifest: manifest)
        } catch {
            throw .modelFile(error)
        }
    }

    // MARK: - Paths and names

    func modelDirectory(_ model: String) -> String { directory + "/" + model }

    func versionDirectory(model: String, version: Int) -> String { modelDirectory(model) + "/" + String(version) }

    static let modelRule = "1–100 characters from A–Z a–z 0–9 . _ -, starting with a letter or digit"
    static let aliasRule = "1–64 characters from A–Z a–z 0–9 . _ -, starting with a letter, and not 'latest'"

    /// Model names become folder names, so they are kept to characters that are safe in paths.
    static func isModelName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return (1...100).contains(bytes.count) && isNameByte(bytes[0], first: true)
            && bytes.allSatisfy { isNameByte($0, first: false) }
    }

    /// Aliases start with a letter so they can never be mistaken for version numbers.
    static func isAliasName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), name != "latest", bytes[0].isASCIILetter else { return false }
        return bytes.allSatisfy { isNameByte($0, first: false) }
    }

    private static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        byte.isASCIILetter || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || (!first && [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-")].contains(byte))
    }

    static func checkName(
        _ name: String, kind: String, pattern: String, allowed: (String) -> Bool
    ) throws(RegistryError) {
        guard allowed(name) else { throw .invalidName(name, kind: kind, rule: pattern) }
    }

    // MARK: - Queries

    func requireModel(_ model: String, in database: RegistryDatabase) throws(RegistryError) {
        try Self.checkName(model, kind: "model name", pattern: Self.modelRule, allowed: Self.isModelName)
        let known = try database.rows("SELECT 1 FROM models WHERE name = ?", .text(model)) { _ in true }
        guard !known.isEmpty else { throw .modelNotFound(model: model, registry: directory) }
    }

    func resolve(model: String, versionOrAlias: String, in database: RegistryDatabase) throws(RegistryError) -> Int {
        try requireModel(model, in: database)
        let found: [Int]
        if !versionOrAlias.isEmpty, versionOrAlias.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let number = Int(versionOrAlias)
        {
            found = try database.rows(
                "SELECT version FROM versions WHERE model = ? AND version = ?", .text(model), .integer(Int64(number))
            ) { $0.int(0) }
        } else if versionOrAlias == "latest" {
            found = try database.rows(
                "SELECT max(version) FROM versions WHERE model = ? HAVING count(*) > 0", .text(model)
            ) { $0.int(0) }
        } else {
            found = try database.rows(
                "SELECT version FROM aliases WHERE model = ? AND alias = ?", .text(model), .text(versionOrAlias)
            ) { $0.int(0) }
        }
        guard let version = found.first else {
            throw .versionNotFound(model: model, versionOrAlias: versionOrAlias)
        }
        return version
    }

    func versions(
        model: String?, version: Int? = nil, in database: RegistryDatabase
    ) throws(RegistryError)
        -> [ModelVersion]
    {
        try database.rows(
            """
            SELECT v.model, v.version, v.created, v.kind, v.hyper_parameters, v.metrics, v.data_fingerprint,
                   v.manifest_sha256,
                   (SELECT group_concat(a.alias, ',') FROM aliases a WHERE a.model = v.model AND a.version = v.version)
            FROM versions v
            WHERE (?1 IS NULL OR v.model = ?1) AND (?2 IS NULL OR v.version = ?2)
            ORDER BY v.model, v.version
            """, model.map { .text($0) } ?? .null, version.map { .integer(Int64($0)) } ?? .null
        ) { row in
            ModelVersion(
                model: row.text(0), version: row.int(1), created: Timestamp.date(row.text(2)),
                kind: ModelKind(rawValue: row.text(3)) ?? .popular,
                hyperParameters: JSON.decode([String: HyperParameter].self, from: row.text(4)) ?? [:],
                metrics: JSON.decode([String: Double].self, from: row.text(5)) ?? [:],
                dataFingerprint: row.text(6), manifestSHA256: row.text(7),
                aliases: row.isNull(8) ? [] : row.text(8).split(separator: ",").map(String.init).sorted())
        }
    }

    func events(model: String?, in database: RegistryDatabase) throws(RegistryError) -> [RegistryEvent] {
        try database.rows(
            "SELECT id, time, action, model, version, details FROM events WHERE ?1 IS NULL OR model = ?1 ORDER BY id",
            model.map { .text($0) } ?? .null
        ) { row in
            RegistryEvent(
                id: row.int(0), time: Timestamp.date(row.text(1)),
                action: RegistryEvent.Action(rawValue: row.text(2)) ?? .gc,
                model: row.isNull(3) ? nil : row.text(3), version: row.isNull(4) ? nil : row.int(4),
                details: row.text(5))
        }
    }

    /// Reads a registered version's manifest, refusing it unless its SHA-256 is the one the database
    /// recorded and it names this model and version.
    func readManifest(model: String, version: Int, expectedSHA256: String) throws(RegistryError) -> ModelManifest {
        let path = versionDirectory(model: model, version: version) + "/" + ModelFile.manifest
        let manifest: ModelManifest
        do throws(ModelFileError) {
            let bytes = try MappedFile.contents(of: path)
            let found = OpenSSLSHA256.hex(of: bytes)
            guard found == expectedSHA256 else {
                throw .invalidFile(path: path, problem: "SHA-256 mismatch (expected \(expectedSHA256), found \(found))")
            }
            manifest = try ModelManifest.decode(bytes, path: path)
        } catch {
            throw .modelFile(error)
        }
        guard manifest.model == model, manifest.version == version else {
            throw .invalidFile(
                path: path,
                problem:
                    "names model \(manifest.model ?? "(none)") version \(manifest.version.map(String.init) ?? "(none)")"
            )
        }
        return manifest
    }
}

private struct PromoteDetails: Encodable {
    var alias: String
    var previous: Int?
}

extension UInt8 {
    fileprivate var isASCIILetter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }
}
