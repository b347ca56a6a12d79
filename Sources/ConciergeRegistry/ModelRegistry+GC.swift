import ConciergeModelFormat
import Foundation

extension ModelRegistry {
    /// Removes, for every model, the unaliased versions older than its `keep` newest unaliased ones
    /// (an aliased version is never removed), plus what crashed publishes left: version folders with
    /// no registry row, and temporary folders whose publisher is gone. Logs one `gc` event.
    @discardableResult
    package func gc(keep: Int) throws(RegistryError) -> GarbageCollectionReport {
        precondition(keep >= 0, "gc keeps a non-negative number of versions")
        let database = try RegistryDatabase(directory: directory, access: .write)
        var report = GarbageCollectionReport()
        var doomedFolders: [String] = []

        // A live publisher holds the lock on its temporary folder, so only dead publishers' are taken;
        // so is the trash of a gc that was interrupted.
        for model in modelFolders() {
            for entry in FileSystem.entries(of: modelDirectory(model))
            where entry.hasPrefix(".tmp-") || entry.hasPrefix(".trash-") {
                let path = modelDirectory(model) + "/" + entry
                guard let lock = try FileSystem.FolderLock(path: path, wait: false) else { continue }
                try FileSystem.removeTree(path)
                withExtendedLifetime(lock) {}
                if entry.hasPrefix(".tmp-") { report.removedTemporaryFolders.append(path) }
            }
        }

        try database.transaction { () throws(RegistryError) in
            let models = try database.rows("SELECT name FROM models ORDER BY name") { $0.text(0) }
            // Holding the write lock, no publish is between its rename and its commit, so a version
            // folder without a row now is an orphan for good.
            for model in Set(modelFolders()).union(models).sorted() {
                let registered = Set(
                    try database.rows("SELECT version FROM versions WHERE model = ?", .text(model)) { $0.int(0) })
                for entry in FileSystem.entries(of: modelDirectory(model)) {
                    guard let version = Self.versionNumber(entry), !registered.contains(version) else { continue }
                    let path = modelDirectory(model) + "/" + entry
                    try moveToTrash(path)
                    report.removedOrphans.append(path)
                }
                let aliased = Set(
                    try database.rows("SELECT version FROM aliases WHERE model = ?", .text(model)) { $0.int(0) })
                let unaliased = registered.subtracting(aliased).sorted(by: >)
                for version in unaliased.dropFirst(keep).sorted() {
                    try database.run(
                        "DELETE FROM versions WHERE model = ? AND version = ?", .text(model), .integer(Int64(version)))
                    report.removedVersions.append("\(model)/\(version)")
                    doomedFolders.append(versionDirectory(model: model, version: version))
                }
            }
            try database.event(.gc, model: nil, version: nil, details: GCDetails(keep: keep, report: report))
        }

        // Only once the rows are gone: a registered version always has its whole folder.
        for folder in doomedFolders {
            try moveToTrash(folder)
        }
        for model in modelFolders() {
            for entry in FileSystem.entries(of: modelDirectory(model)) where entry.hasPrefix(".trash-") {
                try FileSystem.removeTree(modelDirectory(model) + "/" + entry)
            }
        }
        return report
    }

    /// Model folders on disk: every non-hidden subfolder of the registry.
    private func modelFolders() -> [String] {
        FileSystem.entries(of: directory).filter {
            !$0.hasPrefix(".") && FileSystem.isDirectory(directory + "/" + $0)
        }
    }

    /// Renames a folder out of the way in one step, so nobody sees it half-deleted under its version name.
    /// A folder already gone was taken by a concurrent gc.
    private func moveToTrash(_ path: String) throws(RegistryError) {
        guard FileSystem.exists(path) else { return }
        try FileSystem.rename(path, to: FileSystem.parent(of: path) + "/.trash-" + UUID().uuidString.lowercased())
    }
}

private struct GCDetails: Encodable {
    var keep: Int
    var report: GarbageCollectionReport

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(keep, forKey: .keep)
        try container.encode(report.removedVersions, forKey: .removedVersions)
        try container.encode(report.removedOrphans, forKey: .removedOrphans)
        try container.encode(report.removedTemporaryFolders, forKey: .removedTemporaryFolders)
    }

    enum CodingKeys: String, CodingKey {
        case keep
        case removedVersions = "removed_versions"
        case removedOrphans = "removed_orphans"
        case removedTemporaryFolders = "removed_temporary_folders"
    }
}
