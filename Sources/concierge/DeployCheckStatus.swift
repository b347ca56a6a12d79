import ArgumentParser
import ConciergeDeploy
import Foundation

extension DeployCheck {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every instance of both colours: role, process, /health, last version started.",
            discussion: """
                What `deploy.sh status` shows; exits 1 unless every instance of the active colour answers ready and \
                nginx answers from it. With --one-line, the one line a failed deploy prints on what serves now.
                """)

        @Option(help: ArgumentHelp("An instance whose process runs (host:port); repeatable.", valueName: "instance"))
        var running: [String] = []

        @Flag(help: "One line: the upstream's colour, what nginx answers from, each instance's /health.")
        var oneLine = false

        func run() throws {
            let settings = try InstanceProbe.settings()
            let rows = Colour.allCases.flatMap { colour in
                (settings.instances[colour] ?? []).map { instance in
                    DeployStatus.Row(
                        colour: colour, instance: instance, running: running.contains(instance.description),
                        health: InstanceProbe.health(of: instance), lastVersion: Self.lastVersion(of: colour, settings))
                }
            }
            let status = DeployStatus(
                active: InstanceProbe.activeColour(settings), rows: rows, nginx: InstanceProbe.servedByNginx(settings))
            print(oneLine ? status.oneLine : status.report(settings))
            if !oneLine && !status.isHealthy { throw ExitCode.failure }
        }

        /// What deploy.sh recorded when it last started the colour; empty when never.
        private static func lastVersion(of colour: Colour, _ settings: DeploySettings) -> String {
            let file = "\(settings.stateDirectory)/\(colour.rawValue)/version"
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
