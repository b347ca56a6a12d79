import ConciergeDeploy
import Foundation

/// What deploy.sh's checks learn from the colours' instances and its own files.
enum InstanceProbe {
    /// The instance's `/health` as "STATUS VERSION COLOUR"; nil when it does not answer with a JSON object.
    static func health(of instance: DeployInstance) -> String? {
        guard
            let answer = try? HealthProbe.get(
                host: instance.host, port: instance.port, path: "/health", tls: nil, timeout: 2)
        else { return nil }
        return InstanceHealth.summary(ofBody: answer.body)
    }

    /// "COLOUR MODEL/VERSION" of nginx's answer to `/health`, one connection; nil when it gave none.
    static func servedByNginx(_ settings: DeploySettings) -> String? {
        guard let answer = try? HealthProbe.get(url: settings.publicURL + "/health", caFile: nil, timeout: 2) else {
            return nil
        }
        return NginxAnswers.servedBy(
            colour: answer.header("X-Concierge-Color"), model: answer.header("X-Concierge-Model"))
    }

    /// The settings from deploy.sh's environment; a wrong one is the command's one-line failure.
    static func settings() throws -> DeploySettings {
        do { return try DeploySettings(environment: ProcessInfo.processInfo.environment) } catch {
            throw CommandFailure(error.description)
        }
    }

    /// The colour the upstream file names; nil when it cannot be read or names neither.
    static func activeColour(_ settings: DeploySettings) -> Colour? {
        guard let text = try? String(contentsOfFile: settings.upstreamFile, encoding: .utf8) else { return nil }
        return UpstreamFile.activeColour(in: text, settings: settings)
    }
}
