import ArgumentParser

extension DeployCheck {
    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check deploy.sh's CONCIERGE_DEPLOY_* settings and print them as its variables.",
            discussion: """
                Prints NAME=VALUE lines, the production defaults filled in and durations also in microseconds \
                (NAME_US), for deploy.sh's `declare`; exits 1 naming the first setting that is wrong.
                """)

        func run() throws {
            for assignment in try InstanceProbe.settings().shellAssignments { print(assignment) }
        }
    }
}
