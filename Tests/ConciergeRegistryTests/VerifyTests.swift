import ConciergeDigest
import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTestSupport
import Foundation
import Testing

@Suite struct VerifyTests {
    /// A registry with one healthy version and the path of its folder.
    private func publishedVersion() throws -> (ScratchDirectory, ModelRegistry, String) {
        let scratch = ScratchDirectory()
        let registry = scratch.registry
        try registry.publish(model: "roomservice", artifacts: sampleArtifacts())
        return (scratch, registry, registry.directory + "/roomservice/1")
    }

    @Test func aHealthyRegistryVerifies() throws {
        let (scratch, registry, _) = try publishedVersion()
        try registry.publish(model: "roomservice", artifacts: sampleArtifacts(kind: .itemItem))
        let report = try registry.verify()
        #expect(report.isClean)
        #expect(report.checked == ["roomservice/1", "roomservice/2"])
        #expect(try registry.verify(model: "roomservice", versionOrAlias: "latest").checked == ["roomservice/2"])
        withExtendedLifetime(scratch) {}
    }

    @Test(arguments: versionFileNames)
    func aFlippedByteIsFoundAndRefused(file: String) throws {
        let (scratch, registry, folder) = try publishedVersion()
        try flipByte(in: folder + "/" + file)

        let report = try registry.verify()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.path == folder + "/" + file)
        #expect(report.problems.first?.message.hasPrefix("SHA-256 mismatch (expected ") == true)

        let error = registryError { try registry.open(model: "roomservice", versionOrAlias: "1") }
        #expect(error?.description.hasPrefix("\(folder)/\(file): SHA-256 mismatch (expected ") == true)
        withExtendedLifetime(scratch) {}
    }

    @Test func aTruncatedFileIsFoundAndRefused() throws {
        let (scratch, registry, folder) = try publishedVersion()
        let path = folder + "/item_factors.f32"
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        try makeWritable(path)
        #expect(truncate(path, off_t(size - 4)) == 0)

        let report = try registry.verify()
        #expect(
            report.problems.map(\.description) == ["\(path): size mismatch (expected \(size) bytes, found \(size - 4))"]
        )
        let error = registryError { try registry.open(model: "roomservice", versionOrAlias: "1") }
        #expect(error?.description == "\(path): size \(size - 4) bytes, manifest says \(size)")
        withExtendedLifetime(scratch) {}
    }

    @Test func aMissingFileIsFoundAndRefused() throws {
        let (scratch, registry, folder) = try publishedVersion()
        try FileManager.default.removeItem(atPath: folder + "/user_ids.txt")

        let report = try registry.verify()
        #expect(report.problems.map(\.description) == ["\(folder)/user_ids.txt: missing"])
        let error = registryError { try registry.open(model: "roomservice", versionOrAlias: "1") }
        #expect(error?.description == "\(folder)/user_ids.txt: missing")
        withExtendedLifetime(scratch) {}
    }

    @Test func aTamperedManifestIsFoundAndRefused() throws {
        let (scratch, registry, folder) = try publishedVersion()
        let path = folder + "/manifest.json"
        try makeWritable(path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "0.1234", with: "0.9999").write(
            toFile: path, atomically: false, encoding: .utf8)

        let report = try registry.verify()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.path == path)
        #expect(report.problems.first?.message.hasPrefix("SHA-256 mismatch") == true)
        let openError = registryError { try registry.open(model: "roomservice", versionOrAlias: "1") }
        #expect(openError?.description.hasPrefix("\(path): SHA-256 mismatch (expected ") == true)
        let showError = registryError { try registry.show(model: "roomservice", versionOrAlias: "1") }
        #expect(showError?.description.hasPrefix("\(path): SHA-256 mismatch") == true)
        withExtendedLifetime(scratch) {}
    }

    /// A manifest rewritten to match a damaged file still disagrees with the database.
    @Test func aManifestRewrittenToMatchADamagedFileIsCaught() throws {
        let (scratch, registry, folder) = try publishedVersion()
        let dataPath = folder + "/hotel_ids.txt"
        try flipByte(in: dataPath, at: 0)
        let manifestPath = folder + "/manifest.json"
        try makeWritable(manifestPath)
        var manifest = try JSONDecoder().decode(
            ModelManifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifestPath)))
        let damaged = OpenSSLSHA256.hex(of: try [UInt8](Data(contentsOf: URL(fileURLWithPath: dataPath))))
        manifest.files["hotel_ids.txt"]?.sha256 = damaged
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: manifestPath))

        let paths = try registry.verify().problems.map(\.path)
        #expect(paths.contains(manifestPath))
        // Two problems for the file: the lists disagree about it, and it fails the registry's hash.
        #expect(paths.filter { $0 == dataPath }.count == 2)
        #expect(
            registryError { try registry.open(model: "roomservice", versionOrAlias: "1") }?.description.hasPrefix(
                manifestPath) == true)
        withExtendedLifetime(scratch) {}
    }

    @Test func strayFilesAndMissingFoldersAreReported() throws {
        let (scratch, registry, folder) = try publishedVersion()
        try registry.publish(model: "roomservice", artifacts: sampleArtifacts())
        try Data().write(to: URL(fileURLWithPath: folder + "/notes.txt"))
        try FileManager.default.removeItem(atPath: registry.directory + "/roomservice/2")

        let report = try registry.verify()
        #expect(
            report.problems.map(\.description) == [
                "\(folder)/notes.txt: not part of the version",
                "\(registry.directory)/roomservice/2: version folder is missing",
            ])
        withExtendedLifetime(scratch) {}
    }
}
