import ArgumentParser
import ConciergeDeploy
import Foundation

extension DeployCheck {
    struct Ready: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Exit 0 when every instance of a colour answers /health ready on a version.",
            discussion: """
                One look at each instance, for deploy.sh to poll. Otherwise prints what to say of the first \
                instance not ready should the deadline (CONCIERGE_DEPLOY_READY_TIMEOUT) pass and exits 1, or exits 2 \
                when an instance is ready on something else: another process holds its port.
                """)

        @Argument(help: "blue or green.")
        var colour: Colour

        @Argument(help: "The version number every instance must serve.")
        var version: String

        func run() throws {
            let settings = try InstanceProbe.settings()
            let answers = (settings.instances[colour] ?? []).map {
                (instance: $0, summary: InstanceProbe.health(of: $0))
            }
            switch InstanceHealth.readiness(
                of: answers, colour: colour, version: version, deadline: settings.readyTimeout)
            {
            case .ready: return
            case .waiting(let reason):
                print(reason)
                throw ExitCode.failure
            case .conflict(let reason):
                print(reason)
                throw ExitCode(2)
            }
        }
    }

    struct Serving: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Exit 0 when nginx answers /health from a colour on a version, three times in a row.",
            discussion: """
                Each look on a new connection, so each reaches a worker of nginx's reloaded configuration; for \
                deploy.sh to poll after a reload. Otherwise prints what to say should the deadline \
                (CONCIERGE_DEPLOY_FLIP_TIMEOUT) pass, and exits 1.
                """)

        @Argument(help: "blue or green.")
        var colour: Colour

        @Argument(help: "The version number nginx's answers must come from.")
        var version: String

        func run() throws {
            let settings = try InstanceProbe.settings()
            var looks: [String?] = []
            for look in 0..<3 {
                // Spread over 100 ms: right after a reload, workers of the old configuration still accept
                // connections for a moment, and three looks in a millisecond can all miss them.
                if look > 0 { Thread.sleep(forTimeInterval: 0.05) }
                looks.append(InstanceProbe.servedByNginx(settings))
                if let reason = NginxAnswers.mismatch(
                    looks, colour: colour, model: settings.model, version: version, settings: settings)
                {
                    print(reason)
                    throw ExitCode.failure
                }
            }
        }
    }
}
