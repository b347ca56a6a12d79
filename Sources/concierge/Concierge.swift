import ArgumentParser

@main
struct Concierge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concierge",
        abstract: "Room-service recommendations for hotel CRMs, served over HTTP.",
        subcommands: [
            Serve.self, HealthCheck.self, Sample.self, Ingest.self, Train.self, RegistryCommand.self, DeployCheck.self,
            KeysCommand.self,
        ])

    /// `serve` also reads its options from `CONCIERGE_*` variables, for systemd units and containers.
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "serve" { arguments += Serve.environmentArguments(given: arguments) }
        main(arguments)
    }
}
