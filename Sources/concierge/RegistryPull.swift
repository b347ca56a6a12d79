import ArgumentParser
import ConciergeRegistry

extension RegistryCommand {
    /// How a version reaches every serving host of a fleet: each host pulls from a copy of the training host's
    /// registry (docs/deploy.md).
    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a version from another registry into this one, under the same number.",
            discussion: """
                SOURCE is another registry folder: the training host's, mounted, or a copy of it made with rsync \
                into a staging folder. The version is checked file by file against the source's manifest and \
                database and installed atomically, so this registry holds the whole version or nothing of it; a \
                source caught half-copied is refused. --alias points aliases at it in the same transaction. Pulling \
                a version this registry already holds only moves the aliases; another version under the same \
                number is refused.
                """)

        @Argument(help: "The registry folder to copy from.")
        var source: String

        @Argument(help: "The model name.")
        var model: String

        @Argument(help: "A version number, an alias such as production, or latest, as the source resolves it.")
        var versionOrAlias: String

        @Option(help: "An alias to point at the version here (repeatable), e.g. production.")
        var alias: [String] = []

        @OptionGroup var options: Options

        func run() throws {
            let outcome = try options.modelRegistry.pull(
                model: model, versionOrAlias: versionOrAlias, from: ModelRegistry(directory: source), aliases: alias)
            let moved = alias.isEmpty ? "" : "; \(alias.joined(separator: ", ")) -> it"
            switch outcome {
            case .copied(let version):
                print("pulled \(model) version \(version) from \(source) into \(options.registry)\(moved)")
            case .alreadyPresent(let version):
                print("\(options.registry) already holds \(model) version \(version)\(moved)")
            }
        }
    }
}
