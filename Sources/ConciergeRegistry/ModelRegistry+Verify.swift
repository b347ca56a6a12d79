import ConciergeDigest
import ConciergeModelFormat

extension ModelRegistry {
    /// Re-checks registered versions — all, one model's, or one version — against both their manifest
    /// and the database: the manifest's SHA-256, the file lists, and every file's size and SHA-256.
    /// Reports every mismatch, naming the file; throws only when the registry itself cannot be read, or
    /// the model or version asked for does not exist. `versionOrAlias` applies only with `model`.
    package func verify(model: String? = nil, versionOrAlias: String? = nil) throws(RegistryError) -> VerificationReport
    {
        var targets: [ModelVersion]
        var recorded: [String: [String: ModelManifest.FileEntry]] = [:]
        do {
            let database = try RegistryDatabase(directory: directory, access: .read)
            if let model, let versionOrAlias {
                let number = try resolve(model: model, versionOrAlias: versionOrAlias, in: database)
                targets = try versions(model: model, version: number, in: database)
            } else {
                if let model { try requireModel(model, in: database) }
                targets = try versions(model: model, in: database)
            }
            for target in targets {
                let rows = try database.rows(
                    "SELECT name, size, sha256 FROM files WHERE model = ? AND version = ?", .text(target.model),
                    .integer(Int64(target.version))
                ) { ($0.text(0), ModelManifest.FileEntry(size: $0.int(1), sha256: $0.text(2))) }
                recorded["\(target.model)/\(target.version)"] = Dictionary(uniqueKeysWithValues: rows)
            }
        }
        var report = VerificationReport(checked: [], problems: [])
        for target in targets {
            let key = "\(target.model)/\(target.version)"
            report.checked.append(key)
            report.problems += problems(in: target, recordedFiles: recorded[key] ?? [:])
        }
        return report
    }

    private func problems(
        in target: ModelVersion, recordedFiles: [String: ModelManifest.FileEntry]
    ) -> [VerificationReport.Problem] {
        let folder = versionDirectory(model: target.model, version: target.version)
        var problems: [VerificationReport.Problem] = []
        func report(_ path: String, _ message: String) {
            problems.append(VerificationReport.Problem(path: path, message: message))
        }
        guard FileSystem.isDirectory(folder) else {
            report(folder, "version folder is missing")
            return problems
        }

        let manifestPath = folder + "/" + ModelFile.manifest
        var listed: [String: ModelManifest.FileEntry]?
        do throws(ModelFileError) {
            let bytes = try MappedFile.contents(of: manifestPath)
            let found = OpenSSLSHA256.hex(of: bytes)
            if found != target.manifestSHA256 {
                report(manifestPath, "SHA-256 mismatch (expected \(target.manifestSHA256), found \(found))")
            }
            listed = try ModelManifest.decode(bytes, path: manifestPath).files
        } catch {
            if case .invalidFile(let path, let problem) = error {
                report(path, problem)
            } else {
                report(manifestPath, "\(error)")
            }
        }

        // Each file is held to what the manifest and the database say; when they agree, to both at once.
        var expectations: [String: [(source: String, entry: ModelManifest.FileEntry)]] = [:]
        for (name, entry) in recordedFiles { expectations[name, default: []].append(("registry", entry)) }
        if let listed {
            for name in Set(listed.keys).union(recordedFiles.keys).sorted() {
                switch (listed[name], recordedFiles[name]) {
                case (let manifestEntry?, let registryEntry?) where manifestEntry != registryEntry:
                    report(folder + "/" + name, "the manifest and the registry disagree about this file")
                    expectations[name]?.append(("manifest", manifestEntry))
                case (let manifestEntry?, nil):
                    report(folder + "/" + name, "listed in the manifest but not in the registry")
                    expectations[name] = [("manifest", manifestEntry)]
                case (nil, _?):
                    report(folder + "/" + name, "listed in the registry but not in the manifest")
                default:
                    break
                }
            }
        }

        var mapped: [(name: String, file: MappedFile)] = []
        for name in expectations.keys.sorted() {
            let path = folder + "/" + name
            do throws(ModelFileError) {
                let file = try MappedFile(path: path)
                var sizeMatches = true
                for (source, entry) in expectations[name]! where entry.size != file.bytes.count {
                    let label = expectations[name]!.count > 1 ? " by the \(source)" : ""
                    report(path, "size mismatch (expected \(entry.size) bytes\(label), found \(file.bytes.count))")
                    sizeMatches = false
                }
                if sizeMatches { mapped.append((name, file)) }
            } catch {
                if case .invalidFile(_, let problem) = error { report(path, problem) } else { report(path, "\(error)") }
            }
        }
        let digests = MappedFile.sha256(of: mapped.map(\.file))
        for ((name, file), found) in zip(mapped, digests) {
            for (source, entry) in expectations[name]! where entry.sha256 != found {
                let label = expectations[name]!.count > 1 ? " by the \(source)" : ""
                report(file.path, "SHA-256 mismatch (expected \(entry.sha256)\(label), found \(found))")
            }
        }

        let known = Set(expectations.keys).union([ModelFile.manifest])
        for entry in FileSystem.entries(of: folder) where !known.contains(entry) {
            report(folder + "/" + entry, "not part of the version")
        }
        return problems.sorted { $0.path < $1.path }
    }
}
