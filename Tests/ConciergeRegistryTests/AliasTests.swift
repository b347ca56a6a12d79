import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTestSupport
import Testing

@Suite struct AliasTests {
    @Test func promoteMovesAnAliasAndResolveFollowsIt() throws {
        let scratch = ScratchDirectory()
        let registry = scratch.registry
        for seed in 1...3 { try registry.publish(model: "roomservice", artifacts: sampleArtifacts(seed: UInt64(seed))) }

        try registry.promote(model: "roomservice", version: 2, alias: "production")
        try registry.promote(model: "roomservice", version: 3, alias: "staging")
        #expect(try registry.resolve(model: "roomservice", versionOrAlias: "production") == 2)
        #expect(try registry.resolve(model: "roomservice", versionOrAlias: "staging") == 3)
        #expect(try registry.resolve(model: "roomservice", versionOrAlias: "latest") == 3)
        #expect(try registry.resolve(model: "roomservice", versionOrAlias: "1") == 1)
        #expect(try registry.open(model: "roomservice", versionOrAlias: "production").version == 2)

        try registry.promote(model: "roomservice", version: 3, alias: "production")
        #expect(try registry.resolve(model: "roomservice", versionOrAlias: "production") == 3)
        #expect(try registry.list(model: "roomservice").map(\.aliases) == [[], [], ["production", "staging"]])

        let promotions = try registry.events(model: "roomservice").filter { $0.action == .promote }
        #expect(promotions.map(\.version) == [2, 3, 3])
        #expect(promotions[2].details == #"{"alias":"production","previous":2}"#)
    }

    @Test func unknownNamesAreOneLineErrorsNamingThem() throws {
        let scratch = ScratchDirectory()
        let registry = scratch.registry
        try registry.publish(model: "roomservice", artifacts: sampleArtifacts())
        let models = registry.directory
        let cases: [(String, () throws -> Any)] = [
            (
                "no model 'minibar' in registry \(models)",
                { try registry.resolve(model: "minibar", versionOrAlias: "1") }
            ),
            (
                "model 'roomservice' has no version or alias 'canary'",
                { try registry.resolve(model: "roomservice", versionOrAlias: "canary") }
            ),
            (
                "model 'roomservice' has no version or alias '7'",
                { try registry.open(model: "roomservice", versionOrAlias: "7") }
            ),
            (
                "model 'roomservice' has no version or alias '7'",
                { try registry.promote(model: "roomservice", version: 7, alias: "production") }
            ),
            ("no model 'minibar' in registry \(models)", { try registry.list(model: "minibar") }),
        ]
        for (message, body) in cases {
            #expect(registryError(body)?.description == message)
        }
    }

    @Test(arguments: ["latest", "7", "1st", "", "has space", String(repeating: "a", count: 65)])
    func aliasesThatCouldBeMistakenAreRefused(alias: String) throws {
        let scratch = ScratchDirectory()
        try scratch.registry.publish(model: "m", artifacts: sampleArtifacts())
        let error = registryError { try scratch.registry.promote(model: "m", version: 1, alias: alias) }
        #expect(error?.description.hasPrefix("invalid alias '\(alias)'") == true)
    }
}
