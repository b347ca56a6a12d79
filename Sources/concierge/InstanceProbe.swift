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

    /// The text of the `/metrics` of the instance at `base` (a URL without a path); `bearerToken` is the API key
    /// for a server that protects `/metrics`.
    static func metricsText(at base: String, timeout: Double, bearerToken: String?) throws(DeployCheckError) -> String {
        let answer: HealthProbe.Answer?
        do {
            answer = try HealthProbe.get(
                url: base + "/metrics", caFile: nil, timeout: timeout, bearerToken: bearerToken)
        } catch {
            throw DeployCheckError("\(base) does not answer /metrics: \(error)")
        }
        guard let answer else { throw DeployCheckError("\(base) is not an http:// or https:// URL") }
        guard answer.status == 200 else { throw DeployCheckError("\(base)/metrics answered \(answer.status)") }
        return answer.body
    }

    /// The first instance of `colour` ready on any version: the one to compare a new colour's answers with.
    static func firstReady(_ colour: Colour, _ settings: DeploySettings) -> DeployInstance? {
        (settings.instances[colour] ?? []).first {
            guard let health = health(of: $0) else { return false }
            return health.hasPrefix("ready ") && health.hasSuffix(" \(colour.rawValue)")
        }
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
