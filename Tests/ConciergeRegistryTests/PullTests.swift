import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTestSupport
import Foundation
import Testing

/// `pull`: a version reaches another host's registry under its own number, whole or not at all.
@Suite struct PullTests {
    /// A training host's registry with versions 1 to 3, version 2 in production.
    private func trainingHost() throws -> (ScratchDirectory, ModelRegistry) {
        let scratch = ScratchDirectory("pull-source")
        for seed in 1...3 {
            try scratch.registry.publish(model: "roomservice", artifacts: sampleArtifacts(seed: UInt64(seed)))
        }
        try scratch.registry.promote(model: "roomservice", version: 2, alias: "production")
        return (scratch, scratch.registry)
    }

    @Test func aVersionArrivesUnderItsNumberWithItsManifestAndAliases() throws {
        let (sourceScratch, source) = try trainingHost()
        let host = ScratchDirectory("pull-host")
        let outcome = try host.registry.pull(
            model: "roomservice", versionOrAlias: "production", from: source, aliases: ["production"])
        #expect(outcome == .copied(version: 2))
        let pulled = try #require(try host.registry.list(model: "roomservice").first)
        let original = try #require(try source.list(model: "roomservice").first { $0.version == 2 })
        #expect(pulled.version == 2 && pulled.aliases == ["production"])
        #expect(pulled.manifestSHA256 == original.manifestSHA256)
        #expect(try host.registry.verify().problems.isEmpty)
        let served = try host.registry.open(model: "roomservice", versionOrAlias: "production")
        #expect(served.artifacts() == (try source.open(model: "roomservice", versionOrAlias: "2")).artifacts())
        withExtendedLifetime(sourceScratch) {}
    }

    @Test func versionsArriveInAnyOrderAndAPullOfWhatIsThereOnlyMovesAliases() throws {
        let (sourceScratch, source) = try trainingHost()
        let host = ScratchDirectory("pull-host")
        try host.registry.pull(model: "roomservice", versionOrAlias: "3", from: source, aliases: ["production"])
        #expect(try host.registry.pull(model: "roomservice", versionOrAlias: "1", from: source) == .copied(version: 1))
        let again = try host.registry.pull(
            model: "roomservice", versionOrAlias: "1", from: source, aliases: ["production"])
        #expect(again == .alreadyPresent(version: 1))
        #expect(try host.registry.resolve(model: "roomservice", versionOrAlias: "production") == 1)
        #expect(try host.registry.list(model: "roomservice").map(\.version) == [1, 3])
        // The host's next publish of its own still takes a number after every one it holds.
        #expect(try host.registry.publish(model: "roomservice", artifacts: sampleArtifacts(seed: 9)) == 4)
        withExtendedLifetime(sourceScratch) {}
    }

    @Test func anotherVersionUnderTheSameNumberIsRefused() throws {
        let (sourceScratch, source) = try trainingHost()
        let host = ScratchDirectory("pull-host")
        try host.registry.publish(model: "roomservice", artifacts: sampleArtifacts(seed: 42))
        let error = registryError { try host.registry.pull(model: "roomservice", versionOrAlias: "1", from: source) }
        #expect(error?.description.contains("holds another roomservice version 1") == true)
        #expect(try host.registry.list(model: "roomservice").count == 1)
        withExtendedLifetime(sourceScratch) {}
    }

    /// A source caught half-copied (a damaged or truncated file) is refused, and the host is left as it was.
    @Test func aDamagedSourceLeavesTheHostAsItWas() throws {
        let (sourceScratch, source) = try trainingHost()
        let host = ScratchDirectory("pull-host")
        try host.registry.pull(model: "roomservice", versionOrAlias: "1", from: source, aliases: ["production"])
        try flipByte(in: sourceScratch.path + "/models/roomservice/2/item_factors.f32")
        let error = registryError {
            try host.registry.pull(model: "roomservice", versionOrAlias: "2", from: source, aliases: ["production"])
        }
        #expect(error?.description.contains("SHA-256 mismatch") == true)
        #expect(try host.registry.list(model: "roomservice").map(\.version) == [1])
        #expect(try host.registry.resolve(model: "roomservice", versionOrAlias: "production") == 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: host.path + "/models/roomservice")
        #expect(leftovers == ["1"])
    }
}
