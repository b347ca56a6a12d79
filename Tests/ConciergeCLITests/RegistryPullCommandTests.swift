import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTestSupport
import Foundation
import Testing

/// `concierge registry pull` as a serving host runs it, from a copy of the training host's registry.
@Suite struct RegistryPullCommandTests {
    @Test func aHostPullsProductionAndAnUnknownVersionFailsInOneLine() throws {
        guard let binary = requireConciergeBinary() else { return }
        let scratch = ScratchDirectory()
        let training = ModelRegistry(directory: scratch.path + "/training")
        for seed in 1...2 { try training.publish(model: "roomservice", artifacts: sampleArtifacts(seed: UInt64(seed))) }
        try training.promote(model: "roomservice", version: 2, alias: "production")
        let host = scratch.path + "/host"

        let pulled = try runProcess(
            binary,
            [
                "registry", "pull", training.directory, "roomservice", "production", "--alias", "production",
                "--registry", host,
            ])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(
            pulled.stdout == "pulled roomservice version 2 from \(training.directory) into \(host); production -> it\n")
        #expect(try ModelRegistry(directory: host).resolve(model: "roomservice", versionOrAlias: "production") == 2)

        let again = try runProcess(
            binary, ["registry", "pull", training.directory, "roomservice", "2", "--registry", host])
        #expect(again.status == 0 && again.stdout == "\(host) already holds roomservice version 2\n")

        let unknown = try runProcess(
            binary, ["registry", "pull", training.directory, "roomservice", "7", "--registry", host])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("model 'roomservice' has no version or alias '7'"), "\(unknown.stderr)")
        #expect(unknown.stderr.split(separator: "\n").count == 1)
    }
}
