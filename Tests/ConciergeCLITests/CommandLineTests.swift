import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTestSupport
import Foundation
import Testing

/// `concierge registry …` as operators and deploy scripts run it: the real binary in a child process.
@Suite struct CommandLineTests {
    /// A scratch folder holding an export (`export/`, a registry version folder) and an empty target
    /// registry path.
    private func exportFolder() throws -> (ScratchDirectory, String, String) {
        let scratch = ScratchDirectory()
        let source = ModelRegistry(directory: scratch.path + "/source")
        try source.publish(model: "roomservice", artifacts: sampleArtifacts())
        return (scratch, scratch.path + "/source/roomservice/1", scratch.path + "/models")
    }

    @Test func importListShowPromoteVerifyGC() throws {
        guard let binary = requireConciergeBinary() else { return }
        let (scratch, export, models) = try exportFolder()

        let imported = try runProcess(binary, ["registry", "import", "roomservice", export, "--registry", models])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "imported \(export) as roomservice version 1\n")
        #expect(
            try runProcess(binary, ["registry", "import", "roomservice", export, "--registry", models]).status == 0)

        let promoted = try runProcess(
            binary, ["registry", "promote", "roomservice", "1", "--alias", "production", "--registry", models])
        #expect(promoted.status == 0 && promoted.stdout == "roomservice: production -> version 1\n")

        let list = try runProcess(binary, ["registry", "list", "--registry", models])
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        }
        #expect(lines.first == ["MODEL", "VERSION", "CREATED", "KIND", "MAP@10", "PRECISION@10", "NDCG@10", "ALIASES"])
        #expect(lines.count == 3)
        #expect(
            lines.dropFirst().first.map { [$0[0], $0[1], $0[3], $0[4], $0[5], $0[6], $0[7]] }
                == ["roomservice", "1", "als", "0.1234", "0.0567", "0.2345", "production"])

        let show = try runProcess(binary, ["registry", "show", "roomservice", "production", "--registry", models])
        #expect(show.status == 0)
        #expect(show.stdout.hasPrefix("roomservice version 1 (production)\n"))
        for fragment in [
            "5 users, 7 items, 3 hotels, 8 interactions", "similarity=cosine", "map@10=0.1234", "item_factors.f32",
            "promote",
        ] {
            #expect(show.stdout.contains(fragment), "\(fragment)")
        }

        let verify = try runProcess(binary, ["registry", "verify", "--registry", models])
        #expect(verify.status == 0 && verify.stdout == "2 version(s) verified: roomservice/1 roomservice/2\n")

        try flipByte(in: models + "/roomservice/2/item_neighbours.csr")
        let failed = try runProcess(binary, ["registry", "verify", "roomservice", "2", "--registry", models])
        #expect(failed.status != 0)
        #expect(failed.stdout.hasPrefix("\(models)/roomservice/2/item_neighbours.csr: SHA-256 mismatch (expected "))

        let gc = try runProcess(binary, ["registry", "gc", "--keep", "0", "--registry", models])
        #expect(gc.status == 0 && gc.stdout == "removed version roomservice/2\n")
        withExtendedLifetime(scratch) {}
    }

    @Test func mistakesAreOneLineErrorsAndNonZeroExits() throws {
        guard let binary = requireConciergeBinary() else { return }
        let (scratch, export, models) = try exportFolder()
        let missing = try runProcess(binary, ["registry", "list", "--registry", models])
        #expect(missing.status != 0)
        #expect(
            missing.stderr == "Error: \(models): no model registry here (\(models)/registry.sqlite does not exist)\n")

        #expect(
            try runProcess(binary, ["registry", "import", "roomservice", export, "--registry", models]).status == 0)
        for (arguments, message) in [
            (["show", "minibar", "1"], "no model 'minibar' in registry \(models)"),
            (["show", "roomservice", "canary"], "model 'roomservice' has no version or alias 'canary'"),
            (
                ["promote", "roomservice", "9", "--alias", "production"],
                "model 'roomservice' has no version or alias '9'"
            ),
            (["verify", "roomservice", "4"], "model 'roomservice' has no version or alias '4'"),
            (["import", "minibar", scratch.path], "\(scratch.path)/manifest.json: missing"),
        ] {
            let result = try runProcess(binary, ["registry"] + arguments + ["--registry", models])
            #expect(result.status != 0)
            #expect(result.stderr == "Error: \(message)\n")
        }
        let badKeep = try runProcess(binary, ["registry", "gc", "--keep=-1", "--registry", models])
        #expect(badKeep.status != 0 && badKeep.stderr.contains("--keep must be 0 or more"))
    }

    @Test func twoPublisherProcessesGetDistinctVersions() throws {
        guard let binary = requireConciergeBinary() else { return }
        let (scratch, export, models) = try exportFolder()
        let processes = (0..<2).map { _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["registry", "import", "roomservice", export, "--registry", models]
            process.standardOutput = FileHandle.nullDevice
            return process
        }
        for process in processes { try process.run() }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        #expect(try ModelRegistry(directory: models).list().map(\.version) == [1, 2])
        withExtendedLifetime(scratch) {}
    }

    /// Each publish step, what must be left on disk after a crash there, and what gc then removes.
    enum CrashOutcome: Sendable {
        case temporaryFolder, orphanFolder, published
    }

    @Test(arguments: [
        ("temp-created", CrashOutcome.temporaryFolder), ("files-written", .temporaryFolder),
        ("locked", .temporaryFolder), ("manifest-written", .temporaryFolder), ("renamed", .orphanFolder),
        ("registered", .orphanFolder), ("committed", .published),
    ])
    func aCrashAtAnyStepOfPublishLeavesAConsistentRegistry(step: String, outcome: CrashOutcome) throws {
        guard let binary = requireConciergeBinary() else { return }
        let (scratch, export, models) = try exportFolder()
        let registry = ModelRegistry(directory: models)
        try registry.publish(model: "roomservice", artifacts: sampleArtifacts())

        let crashed = try runProcess(
            binary, ["registry", "import", "roomservice", export, "--registry", models],
            environment: ["CONCIERGE_FAULT_INJECT": "publish:\(step)"])
        #expect(crashed.status == 70, "the process should have died at publish:\(step): \(crashed.stderr)")

        // Readers see version 1, plus version 2 only if the crash came after the commit.
        let visible = outcome == .published ? [1, 2] : [1]
        #expect(try registry.list().map(\.version) == visible)
        #expect(try registry.verify().isClean)
        for version in visible { _ = try registry.open(model: "roomservice", versionOrAlias: String(version)) }
        let folder = models + "/roomservice"
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        switch outcome {
        case .temporaryFolder: #expect(leftovers.count == 2 && leftovers[0].hasPrefix(".tmp-") && leftovers[1] == "1")
        case .orphanFolder: #expect(leftovers == ["1", "2"])
        case .published: #expect(leftovers == ["1", "2"])
        }

        // The next publish works, and never reuses the number of a folder left on disk.
        let next = try registry.publish(model: "roomservice", artifacts: sampleArtifacts())
        #expect(next == (outcome == .temporaryFolder ? 2 : 3))

        let report = try registry.gc(keep: 10)
        #expect(report.removedVersions.isEmpty)
        #expect(report.removedTemporaryFolders.count == (outcome == .temporaryFolder ? 1 : 0))
        #expect(report.removedOrphans == (outcome == .orphanFolder ? [folder + "/2"] : []))
        let registered = try registry.list().map { String($0.version) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == registered.sorted())
        #expect(try registry.verify().isClean)
        withExtendedLifetime(scratch) {}
    }

    @Test func theFaultHookIsInertWhenUnset() throws {
        guard let binary = requireConciergeBinary() else { return }
        let (scratch, export, models) = try exportFolder()
        let result = try runProcess(
            binary, ["registry", "import", "roomservice", export, "--registry", models],
            environment: ["CONCIERGE_FAULT_INJECT": "publish:no-such-step"])
        #expect(result.status == 0)
        #expect(try ModelRegistry(directory: models).list().count == 1)
        withExtendedLifetime(scratch) {}
    }
}
