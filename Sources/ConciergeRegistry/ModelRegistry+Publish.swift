package import ConciergeModelFormat
import Foundation

extension ModelRegistry {
    /// Publishes `artifacts` as the next version of `model` and returns its number.
    ///
    /// Atomic: the files go into `NAME/.tmp-<uuid>/` and are fsynced; then, holding the database's
    /// write lock, the version number is chosen, the manifest written, the folder renamed to
    /// `NAME/VERSION/` and fsynced, and the rows inserted in one transaction. A crash anywhere leaves
    /// either a whole registered version or nothing visible; what it leaves on disk, gc removes.
    @discardableResult
    package func publish(model: String, artifacts: ModelArtifacts) throws(RegistryError) -> Int {
        try publish(model: model, artifacts: artifacts) { _, _ throws(RegistryError) in }
    }

    /// Publishes `artifacts` and, in the same write transaction, points `policy.alias` at the new version
    /// if the policy prefers it to the version the alias holds. No other publish or promote can land between
    /// the look at production and the move.
    package func publish(
        model: String, artifacts: ModelArtifacts, promotingBy policy: PromotionPolicy
    ) throws(RegistryError) -> (version: Int, decision: PromotionPolicy.Decision, production: Int?) {
        try Self.checkName(policy.alias, kind: "alias", pattern: Self.aliasRule, allowed: Self.isAliasName)
        guard policy.decide(candidate: artifacts.metrics, production: nil) != nil else {
            throw .modelFile(.invalidArtifacts("no \(policy.measure.rawValue) figure to decide the promotion with"))
        }
        var outcome: (decision: PromotionPolicy.Decision, production: Int?)?
        let version = try publish(model: model, artifacts: artifacts) { version, database throws(RegistryError) in
            let production = try database.rows(
                "SELECT version FROM aliases WHERE model = ? AND alias = ?", .text(model), .text(policy.alias)
            ) { $0.int(0) }.first
            let productionMetrics = try production.map { number throws(RegistryError) in
                try versions(model: model, version: number, in: database)[0].metrics
            }
            let decision = policy.decide(candidate: artifacts.metrics, production: productionMetrics)!
            if decision.promotes { try moveAlias(policy.alias, of: model, to: version, in: database) }
            outcome = (decision, production)
        }
        return (version, outcome!.decision, outcome!.production)
    }

    /// The publish itself; `inTransaction` runs inside its write transaction, after the version's rows.
    private func publish(
        model: String, artifacts: ModelArtifacts,
        inTransaction: (_ version: Int, _ database: RegistryDatabase) throws(RegistryError) -> Void
    ) throws(RegistryError) -> Int {
        do throws(ModelFileError) { try artifacts.validate() } catch { throw .modelFile(error) }
        return try install(
            model: model,
            writeData: { folder throws(ModelFileError) in try ModelWriter.write(artifacts, to: folder) },
            number: { next throws(RegistryError) in next },
            writeManifest: { version, files, folder throws(ModelFileError) in
                let manifest = ModelManifest(
                    artifacts, model: model, version: version, created: Timestamp.now(), files: files)
                return (manifest, try ModelWriter.writeManifest(manifest, to: folder))
            },
            inTransaction: inTransaction)
    }

    /// Puts a new version folder in place and registers it, atomically: the files go into `NAME/.tmp-<uuid>/`
    /// and are fsynced; then, holding the database's write lock, the version number is chosen (`number` is
    /// given the next free one), the manifest written, the folder renamed to `NAME/VERSION/` and fsynced, and
    /// the rows inserted in one transaction, with `inTransaction` last. A crash anywhere leaves either a whole
    /// registered version or nothing visible; what it leaves on disk, gc removes.
    func install(
        model: String, writeData: (_ folder: String) throws(ModelFileError) -> [String: ModelManifest.FileEntry],
        number: (_ next: Int) throws(RegistryError) -> Int,
        writeManifest: (_ version: Int, _ files: [String: ModelManifest.FileEntry], _ folder: String)
            throws(ModelFileError) -> (ModelManifest, ModelManifest.FileEntry),
        inTransaction: (_ version: Int, _ database: RegistryDatabase) throws(RegistryError) -> Void
    ) throws(RegistryError) -> Int {
        try Self.checkName(model, kind: "model name", pattern: Self.modelRule, allowed: Self.isModelName)
        let database = try RegistryDatabase(directory: directory, access: .create)
        let modelDirectory = modelDirectory(model)
        try FileSystem.ensureDirectory(modelDirectory)

        let temporary = modelDirectory + "/.tmp-" + UUID().uuidString.lowercased()
        try FileSystem.createDirectory(temporary)
        var renamedTo: String?
        do throws(RegistryError) {
            guard let lock = try FileSystem.FolderLock(path: temporary, wait: true), lock.isStillInPlace else {
                throw RegistryError.invalidFile(
                    path: temporary, problem: "removed by a concurrent gc before it could be locked; publish again")
            }
            FaultInjection.crashPoint("publish:temp-created")
            let files: [String: ModelManifest.FileEntry]
            do throws(ModelFileError) { files = try writeData(temporary) } catch { throw .modelFile(error) }
            FaultInjection.crashPoint("publish:files-written")
            try lock.sync()

            let version = try database.transaction { () throws(RegistryError) -> Int in
                FaultInjection.crashPoint("publish:locked")
                let lastVersion =
                    try database.rows(
                        "SELECT last_version FROM models WHERE name = ?", .text(model)
                    ) { $0.int(0) }.first ?? 0
                // Folders count too: one left by a publish that died after its rename must not be reused.
                let highestFolder = FileSystem.entries(of: modelDirectory).compactMap(Self.versionNumber).max() ?? 0
                let version = try number(max(lastVersion, highestFolder) + 1)

                let (manifest, manifestEntry): (ModelManifest, ModelManifest.FileEntry)
                do throws(ModelFileError) {
                    (manifest, manifestEntry) = try writeManifest(version, files, temporary)
                } catch {
                    throw .modelFile(error)
                }
                try lock.sync()
                FaultInjection.crashPoint("publish:manifest-written")

                let destination = versionDirectory(model: model, version: version)
                guard !FileSystem.exists(destination) else {
                    throw RegistryError.invalidFile(path: destination, problem: "already exists")
                }
                try FileSystem.rename(temporary, to: destination)
                renamedTo = destination
                FaultInjection.crashPoint("publish:renamed")
                try FileSystem.syncDirectory(modelDirectory)

                try register(manifest, sha256: manifestEntry.sha256, in: database)
                try inTransaction(version, database)
                FaultInjection.crashPoint("publish:registered")
                return version
            }
            FaultInjection.crashPoint("publish:committed")
            return version
        } catch {
            // Nothing registered it, so whatever is on disk is removed; if even that fails, gc will.
            try? FileSystem.removeTree(renamedTo ?? temporary)
            throw error
        }
    }

    /// Validates a model folder written by another tool in this format (manifest plus files, checked
    /// exactly as `open` checks a registered version) and publishes it as the next version of `model`.
    /// The source's model, version and created fields, if any, are replaced.
    @discardableResult
    package func importModel(model: String, from source: String) throws(RegistryError) -> Int {
        try Self.checkName(model, kind: "model name", pattern: Self.modelRule, allowed: Self.isModelName)
        var source = source
        while source.count > 1, source.hasSuffix("/") { source.removeLast() }
        let loaded: LoadedModel
        do throws(ModelFileError) {
            loaded = try LoadedModel(folder: source, model: model, version: 0)
        } catch {
            throw .modelFile(error)
        }
        return try publish(model: model, artifacts: loaded.artifacts())
    }

    private func register(
        _ manifest: ModelManifest, sha256: String, in database: RegistryDatabase
    )
        throws(RegistryError)
    {
        guard let model = manifest.model, let version = manifest.version, let created = manifest.created else {
            preconditionFailure("publish always names the model, version and creation time")
        }
        try database.run(
            """
            INSERT INTO models (name, created, last_version) VALUES (?1, ?2, ?3)
            ON CONFLICT (name) DO UPDATE SET last_version = max(last_version, excluded.last_version)
            """, .text(model), .text(created), .integer(Int64(version)))
        try database.run(
            """
            INSERT INTO versions (model, version, created, kind, hyper_parameters, metrics, data_fingerprint,
                                  manifest_sha256)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, .text(model), .integer(Int64(version)), .text(created), .text(manifest.kind.rawValue),
            .text(JSON.text(manifest.hyperParameters)), .text(JSON.text(manifest.metrics)),
            .text(manifest.dataFingerprint), .text(sha256))
        for (name, entry) in manifest.files.sorted(by: { $0.key < $1.key }) {
            try database.run(
                "INSERT INTO files (model, version, name, size, sha256) VALUES (?, ?, ?, ?, ?)", .text(model),
                .integer(Int64(version)), .text(name), .integer(Int64(entry.size)), .text(entry.sha256))
        }
        try database.event(
            .publish, model: model, version: version,
            details: PublishDetails(
                kind: manifest.kind.rawValue, files: manifest.files.count,
                bytes: manifest.files.values.reduce(0) { $0 + $1.size }, manifestSHA256: sha256))
    }

    /// The version number a folder name stands for, if it is one (decimal digits, no leading zero).
    static func versionNumber(_ name: String) -> Int? {
        guard let first = name.utf8.first, first != UInt8(ascii: "0"),
            name.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int(name)
    }
}

private struct PublishDetails: Encodable {
    var kind: String
    var files: Int
    var bytes: Int
    var manifestSHA256: String

    enum CodingKeys: String, CodingKey {
        case kind, files, bytes
        case manifestSHA256 = "manifest_sha256"
    }
}
