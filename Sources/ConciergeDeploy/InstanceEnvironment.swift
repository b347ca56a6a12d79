/// The env file an instance starts from, written by deploy.sh on its host: serve's `CONCIERGE_*` settings. Every value
/// is plain (checked by ``DeploySettings``), so both systemd's `EnvironmentFile=` and bash's `.` read it unquoted.
package enum InstanceEnvironment {
    /// The file for `instance` of `colour` serving `version`; `written` is the time it says it was written.
    package static func render(
        _ instance: DeployInstance, of colour: Colour, version: String, settings: DeploySettings, written: String
    ) -> String {
        let variables = [
            ("COLOR", colour.rawValue), ("HOST", instance.host), ("PORT", String(instance.port)),
            ("REGISTRY", settings.registry(on: instance.host)), ("MODEL", settings.model), ("VERSION", version),
            ("DRAIN_TIMEOUT", settings.drainTimeout.text),
        ]
        return "# Written by deploy.sh on \(written): what \(instance) (\(colour.rawValue)) runs with.\n"
            + variables.map { "CONCIERGE_\($0.0)=\($0.1)\n" }.joined()
    }
}
