import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTestSupport
import Foundation
import Testing

@Suite struct GarbageCollectionTests {
    @Test func gcKeepsAliasedVersionsAndTheNewestUnaliasedOnes() throws {
        let scratch = ScratchDirectory()
        let registry = scratch.registry
        for _ in 1...6 { try registry.publish(model: "roomservice", artifacts: sampleArtifacts()) }
        try registry.publish(model: "minibar", artifacts: sampleArtifacts(kind: .popular))
        try registry.promote(model: "roomservice", version: 1, alias: "production")
        try registry.promote(model: "roomservice", version: 2, alias: "staging")

        let report = try registry.gc(keep: 2)
        #expect(report.removedVersions == ["roomservice/3", "roomservice/4"])
        #expect(report.removedOrphans.isEmpty && report.removedTemporaryFolders.isEmpty)
        #expect(try registry.list(model: "roomservice").map(\.version) == [1, 2, 5, 6])
        #expect(try registry.list(model: "minibar").map(\.version) == [1])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: registry.directory + "/roomservice").sorted() == [
                "1", "2", "5", "6",
            ])
        #expect(try registry.verify().isClean)

        // Even keep 0 spares aliased versions; numbers are never handed out again.
        #expect(try registry.gc(keep: 0).removedVersions == ["minibar/1", "roomservice/5", "roomservice/6"])
        #expect(try registry.list().map(\.version) == [1, 2])
        #expect(try registry.publish(model: "roomservice", artifacts: sampleArtifacts()) == 7)
        #expect(try registry.publish(model: "minibar", artifacts: sampleArtifacts()) == 2)

        let gcEvents = try registry.events().filter { $0.action == .gc }
        #expect(gcEvents.count == 2)
        #expect(gcEvents[0].details.contains(#""removed_versions":["roomservice/3","roomservice/4"]"#))
    }

    @Test func gcRemovesOrphansAndDeadPublishersTemporaryFoldersOnly() throws {
        let scratch = ScratchDirectory()
        let registry = scratch.registry
        try registry.publish(model: "roomservice", artifacts: sampleArtifacts())
        let modelFolder = registry.directory + "/roomservice"
        // What crashed publishes leave: an unregistered version folder and a temporary folder.
        try FileManager.default.copyItem(atPath: modelFolder + "/1", toPath: modelFolder + "/2")
        try FileManager.default.createDirectory(atPath: modelFolder + "/.tmp-dead", withIntermediateDirectories: false)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: modelFolder + "/.tmp-dead/user_ids.txt"))
        // A publisher still at work holds a lock on its temporary folder.
        try FileManager.default.createDirectory(atPath: modelFolder + "/.tmp-alive", withIntermediateDirectories: false)
        let descriptor = open(modelFolder + "/.tmp-alive", O_RDONLY | O_DIRECTORY)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX) == 0)

        #expect(try registry.list().map(\.version) == [1])
        #expect(try registry.publish(model: "roomservice", artifacts: sampleArtifacts()) == 3)

        let report = try registry.gc(keep: 5)
        #expect(report.removedVersions.isEmpty)
        #expect(report.removedOrphans == [modelFolder + "/2"])
        #expect(report.removedTemporaryFolders == [modelFolder + "/.tmp-dead"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: modelFolder).sorted() == [".tmp-alive", "1", "3"])
        #expect(try registry.verify().isClean)
    }

    @Test func gcNeedsARegistry() {
        let scratch = ScratchDirectory()
        #expect(
            registryError { try scratch.registry.gc(keep: 5) }?.description.contains("no model registry here") == true)
    }
}
