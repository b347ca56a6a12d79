import ConciergeModelFormat

extension ModelRegistry {
    /// What `pull` did.
    package enum PullOutcome: Equatable, Sendable {
        /// The version was copied in under its number.
        case copied(version: Int)
        /// This registry already held the very same version (the same manifest); only the aliases moved.
        case alreadyPresent(version: Int)
    }

    /// Copies a version of `model` from the registry at `source` into this one under the same number: how a
    /// version reaches each serving host of a fleet (docs/deploy.md). The source version is checked as `open`
    /// checks it (the manifest against the source's database, every file against the manifest), and its files
    /// are copied byte for byte, hashed on the way, and installed as `publish` installs a version, so a host sees
    /// the whole version or none of it: a source still being copied into a staging folder is refused, not
    /// half-imported. Then, in the same transaction, each of `aliases` points at it here.
    ///
    /// Pulling a version this registry already holds with the same manifest only moves the aliases; holding a
    /// different version under that number is refused. Versions may arrive in any order (a host that joins late
    /// pulls production only, and an older version when a deploy rolls back to it).
    @discardableResult
    package func pull(
        model: String, versionOrAlias: String, from source: ModelRegistry, aliases: [String] = []
    ) throws(RegistryError) -> PullOutcome {
        for alias in aliases {
            try Self.checkName(alias, kind: "alias", pattern: Self.aliasRule, allowed: Self.isAliasName)
        }
        let original = try source.open(model: model, versionOrAlias: versionOrAlias)
        let version = original.version
        let sourceSHA256 = try source.list(model: model).first { $0.version == version }!.manifestSHA256
        if let present = try? list(model: model).first(where: { $0.version == version }) {
            guard present.manifestSHA256 == sourceSHA256 else {
                throw .invalidFile(
                    path: versionDirectory(model: model, version: version),
                    problem: "holds another \(model) version \(version) than \(source.directory) does")
            }
            let database = try RegistryDatabase(directory: directory, access: .write)
            try database.transaction { () throws(RegistryError) in
                for alias in aliases { try moveAlias(alias, of: model, to: version, in: database) }
            }
            return .alreadyPresent(version: version)
        }
        let copied = try install(
            model: model,
            writeData: { folder throws(ModelFileError) in
                var entries: [String: ModelManifest.FileEntry] = [:]
                for name in original.manifest.files.keys.sorted() {
                    entries[name] = try Self.copy(original.directory + "/" + name, to: folder + "/" + name)
                }
                guard entries == original.manifest.files else {
                    throw .invalidFile(path: original.directory, problem: "changed while it was being copied")
                }
                return entries
            },
            number: { _ throws(RegistryError) in version },
            writeManifest: { _, _, folder throws(ModelFileError) in
                let entry = try Self.copy(
                    original.directory + "/" + ModelFile.manifest, to: folder + "/" + ModelFile.manifest)
                guard entry.sha256 == sourceSHA256 else {
                    throw .invalidFile(
                        path: original.directory, problem: "its manifest changed while it was being copied")
                }
                return (original.manifest, entry)
            },
            inTransaction: { version, database throws(RegistryError) in
                for alias in aliases { try moveAlias(alias, of: model, to: version, in: database) }
            })
        return .copied(version: copied)
    }

    /// Copies one file straight from its mapping, hashing it as it is written; the copy is durable and read-only,
    /// as versions are.
    private static func copy(_ source: String, to destination: String) throws(ModelFileError) -> ModelManifest.FileEntry
    {
        let file = try MappedFile(path: source)
        let writer = try FileWriter(path: destination)
        try withExtendedLifetime(file) { () throws(ModelFileError) in try writer.write(file.bytes) }
        return try writer.finish()
    }
}
