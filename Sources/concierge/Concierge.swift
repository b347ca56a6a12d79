import ArgumentParser

@main
struct Concierge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concierge",
        abstract: "Room-service recommendations for hotel CRMs, served over HTTP.",
        subcommands: [Serve.self, Sample.self, Ingest.self, Train.self, RegistryCommand.self])
}
