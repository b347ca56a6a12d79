import ArgumentParser
import ConciergeDeploy
import Foundation

extension DeployCheck {
    struct Hosts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Print the hosts of a colour's instances, one a line, each with the registry copy it serves from.",
            discussion: "Lines of HOST REGISTRY, each host once (CONCIERGE_DEPLOY_HOST_REGISTRIES).")

        @Argument(help: "blue or green.")
        var colour: Colour

        func run() throws {
            for (host, registry) in try InstanceProbe.settings().hosts(of: colour) { print(host, registry) }
        }
    }

    struct Health: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an instance's /health as STATUS VERSION COLOUR; nothing when it does not answer.")

        @Argument(help: "The instance, HOST:PORT.")
        var instance: DeployInstance

        func run() {
            if let summary = InstanceProbe.health(of: instance) { print(summary) }
        }
    }

    struct InstanceEnv: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "instance-env",
            abstract: "Print the env file an instance starts from, as deploy.sh writes it on the instance's host.")

        @Argument(help: "blue or green.")
        var colour: Colour

        @Argument(help: "The instance, HOST:PORT.")
        var instance: DeployInstance

        @Argument(help: "The version number it serves.")
        var version: String

        func run() throws {
            print(
                InstanceEnvironment.render(
                    instance, of: colour, version: version, settings: try InstanceProbe.settings(),
                    written: Date.now.formatted(.iso8601)),
                terminator: "")
        }
    }
}

extension DeployInstance: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
