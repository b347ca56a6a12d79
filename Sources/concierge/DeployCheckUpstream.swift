import ArgumentParser
import ConciergeDeploy
import Foundation

extension DeployCheck {
    struct Upstream: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print nginx's upstream file for every instance of a colour, as deploy.sh installs it.")

        @Argument(help: "blue or green.")
        var colour: Colour

        @Argument(help: "The version the colour serves, for the file's header.")
        var version: String

        func run() throws {
            let settings = try InstanceProbe.settings()
            print(
                UpstreamFile.render(
                    colour, version: version, settings: settings, written: Date.now.formatted(.iso8601)),
                terminator: "")
        }
    }

    struct ActiveColour: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the colour whose instances nginx's upstream file names; exit 1 when neither's.")

        func run() throws {
            let settings = try InstanceProbe.settings()
            guard let colour = InstanceProbe.activeColour(settings) else { throw ExitCode.failure }
            print(colour.rawValue)
        }
    }
}

extension Colour: ExpressibleByArgument {}
