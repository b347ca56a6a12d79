/// deploy/deploy.sh's settings: the `CONCIERGE_DEPLOY_*` variables with their production defaults (docs/deploy.md,
/// "Settings"), checked before a deploy touches anything. An empty variable counts as unset, as bash's `${X:-…}`.
package struct DeploySettings: Sendable {
    package enum Launcher: String, Sendable {
        case systemd
        case process
    }

    package var registry: String
    /// Each host's own registry copy; a host not listed uses `registry`.
    package var hostRegistries: [(host: String, folder: String)]
    package var model: String
    package var instances: [Colour: [DeployInstance]]
    package var stateDirectory: String
    package var launcher: Launcher
    package var systemdUnit: String
    package var nginxConfiguration: String
    package var nginxPrefix: String
    package var upstreamFile: String
    /// Without a trailing slash.
    package var publicURL: String
    package var goldenRequests: String
    package var goldenMinimumOverlap: String
    package var readyTimeout: DeployDuration
    package var flipTimeout: DeployDuration
    package var graceSeconds: DeployDuration
    package var analysisSeconds: DeployDuration
    package var analysisInterval: DeployDuration
    package var analysisMinimumRequests: Int
    package var maximumErrorRatio: String
    package var maximumP99: DeployDuration
    package var drainTimeout: DeployDuration
    package var lockTimeout: DeployDuration
    package var upstreamKeepalive: Int
    /// nginx's own syntax ("60s"), which `nginx -t` checks.
    package var upstreamKeepaliveTimeout: String
    package var upstreamKeepaliveRequests: Int
    package var upstreamMaximumFails: Int
    /// nginx's own syntax ("10s"), which `nginx -t` checks.
    package var upstreamFailTimeout: String
    /// Command lines, split on spaces by deploy.sh.
    package var nginxCommand: String
    package var systemctlCommand: String
    package var sshCommand: String
    /// A file holding the bearer token for the API's protected routes; empty: none.
    package var credentialsFile: String

    /// Throws the first setting that is wrong, named by its variable, as deploy.sh used to say it.
    package init(environment: [String: String]) throws(DeployCheckError) {
        let reader = Reader(environment: environment)
        registry = try reader.plain("REGISTRY", default: "/var/lib/concierge/models")
        model = try reader.plain("MODEL", default: "roomservice")
        stateDirectory = try reader.plain("STATE_DIR", default: "/var/lib/concierge")
        let instanceHost = try reader.text("INSTANCE_HOST", default: "127.0.0.1")
        instances = [
            .blue: try reader.instances(
                .blue, default: "\(instanceHost):\(try reader.text("BLUE_PORT", default: "8081"))"),
            .green: try reader.instances(
                .green, default: "\(instanceHost):\(try reader.text("GREEN_PORT", default: "8082"))"),
        ]
        hostRegistries = try reader.hostRegistries()
        launcher = try reader.launcher()
        systemdUnit = try reader.text("SYSTEMD_UNIT", default: "concierge")
        nginxConfiguration = try reader.text("NGINX_CONF", default: "/etc/nginx/nginx.conf")
        nginxPrefix = try reader.text("NGINX_PREFIX", default: "")
        upstreamFile = try reader.text("NGINX_UPSTREAM", default: "/etc/nginx/concierge/upstream.conf")
        publicURL = try reader.publicURL()
        goldenRequests = try reader.text("GOLDEN_REQUESTS", default: "")
        goldenMinimumOverlap = try reader.share("GOLDEN_MIN_OVERLAP", default: "0")
        readyTimeout = try reader.seconds("READY_TIMEOUT", default: "120")
        flipTimeout = try reader.seconds("FLIP_TIMEOUT", default: "15")
        graceSeconds = try reader.seconds("GRACE_SECONDS", default: "120")
        analysisSeconds = try reader.seconds("ANALYSIS_SECONDS", default: "300")
        analysisInterval = try reader.seconds("ANALYSIS_INTERVAL", default: "5")
        analysisMinimumRequests = try reader.wholeNumber("ANALYSIS_MIN_REQUESTS", default: "100")
        maximumErrorRatio = try reader.share("MAX_5XX_RATIO", default: "0.01")
        maximumP99 = try reader.seconds("MAX_P99_SECONDS", default: "0.25")
        drainTimeout = try reader.seconds("DRAIN_TIMEOUT", default: "25")
        lockTimeout = try reader.seconds("LOCK_TIMEOUT", default: "0")
        upstreamKeepalive = try reader.wholeNumber("UPSTREAM_KEEPALIVE", default: "32")
        upstreamKeepaliveTimeout = try reader.text("UPSTREAM_KEEPALIVE_TIMEOUT", default: "60s")
        upstreamKeepaliveRequests = try reader.wholeNumber("UPSTREAM_KEEPALIVE_REQUESTS", default: "1000")
        upstreamMaximumFails = try reader.wholeNumber("UPSTREAM_MAX_FAILS", default: "1")
        upstreamFailTimeout = try reader.text("UPSTREAM_FAIL_TIMEOUT", default: "10s")
        nginxCommand = try reader.text("NGINX", default: "nginx")
        systemctlCommand = try reader.text("SYSTEMCTL", default: "systemctl")
        sshCommand = try reader.text("SSH", default: "")
        credentialsFile = try reader.text("CREDENTIALS_FILE", default: "")
        guard analysisInterval.microseconds > 0 else {
            throw DeployCheckError("CONCIERGE_DEPLOY_ANALYSIS_INTERVAL must be above 0")
        }
        guard launcher == .systemd || sshCommand.allSatisfy({ $0 == " " }) else {
            throw DeployCheckError("CONCIERGE_DEPLOY_SSH needs the systemd launcher")
        }
        try checkInstances()
    }

    /// Blue and green never share an instance; with systemd, a host runs one unit per colour.
    private func checkInstances() throws(DeployCheckError) {
        let all = Colour.allCases.flatMap { instances[$0] ?? [] }
        let twice = Dictionary(grouping: all.map(\.description), by: { $0 }).filter { $0.value.count > 1 }.keys
        guard twice.isEmpty else {
            throw DeployCheckError(
                "an instance is listed twice (blue and green must differ): \(twice.sorted().joined(separator: " "))")
        }
        let perHost = Dictionary(grouping: all, by: \.host)
        guard launcher == .process || perHost.values.allSatisfy({ $0.count <= 2 }) else {
            throw DeployCheckError(
                "with systemd, a host runs one instance per colour (concierge@blue, concierge@green)")
        }
    }

    /// The registry copy `host` serves from.
    package func registry(on host: String) -> String {
        hostRegistries.first { $0.host == host }?.folder ?? registry
    }

    /// The hosts of `colour`'s instances, each once, in their order, with the registry copy each serves from.
    package func hosts(of colour: Colour) -> [(host: String, registry: String)] {
        var seen: Set<String> = []
        return (instances[colour] ?? []).map(\.host).filter { seen.insert($0).inserted }.map { ($0, registry(on: $0)) }
    }

    /// deploy.sh's variables, one `NAME=VALUE` a line (no value holds a newline), for `declare`.
    package var shellAssignments: [String] {
        let seconds: [(String, DeployDuration)] = [
            ("READY_TIMEOUT", readyTimeout), ("FLIP_TIMEOUT", flipTimeout), ("GRACE_SECONDS", graceSeconds),
            ("ANALYSIS_SECONDS", analysisSeconds), ("ANALYSIS_INTERVAL", analysisInterval),
            ("DRAIN_TIMEOUT", drainTimeout), ("LOCK_TIMEOUT", lockTimeout),
        ]
        // How long a rollback waits for a running deploy to undo itself: restart the old colour, reload nginx,
        // drain the new colour, and a minute to spare.
        let patience =
            (readyTimeout.microseconds + flipTimeout.microseconds + drainTimeout.microseconds) / 1_000_000 + 60
        let values: [(String, String)] =
            [
                ("REGISTRY", registry),
                ("MODEL", model), ("BLUE_INSTANCES", instanceList(.blue)), ("GREEN_INSTANCES", instanceList(.green)),
                ("STATE_DIR", stateDirectory), ("DEPLOY_LOG", stateDirectory + "/deploy.log"),
                ("LOCK_FILE", stateDirectory + "/deploy.lock"), ("LOCK_OWNER_FILE", stateDirectory + "/deploy.owner"),
                ("LAUNCHER", launcher.rawValue), ("SYSTEMD_UNIT", systemdUnit),
                ("NGINX_CONF", nginxConfiguration), ("NGINX_PREFIX", nginxPrefix), ("UPSTREAM_FILE", upstreamFile),
                ("PUBLIC_URL", publicURL), ("GOLDEN_REQUESTS", goldenRequests),
                ("GOLDEN_MIN_OVERLAP", goldenMinimumOverlap),
                ("ANALYSIS_MIN_REQUESTS", String(analysisMinimumRequests)),
                ("MAX_5XX_RATIO", maximumErrorRatio), ("MAX_P99_SECONDS", maximumP99.text), ("NGINX", nginxCommand),
                ("SYSTEMCTL", systemctlCommand), ("SSH", sshCommand), ("CREDENTIALS_FILE", credentialsFile),
                ("ROLLBACK_PATIENCE", String(patience)),
            ]
            + seconds.flatMap { name, duration in
                [(name, duration.text), (name + "_US", String(duration.microseconds))]
            }
        return values.map { "\($0.0)=\($0.1)" }
    }

    /// What the watch, and `concierge deploy-check judge`, hold a new colour to.
    package var trafficLimits: TrafficWindow.Limits {
        // The reader lets through only shares Double(_:) reads; were it otherwise, the strictest limit.
        TrafficWindow.Limits(
            maximumErrorRatio: Double(maximumErrorRatio) ?? 0, maximumP99: maximumP99.seconds,
            minimumRequests: analysisMinimumRequests)
    }

    /// The colour's instances, space-separated.
    package func instanceList(_ colour: Colour) -> String {
        (instances[colour] ?? []).map(\.description).joined(separator: " ")
    }
}

/// Reads one variable at a time, each checked for what deploy.sh does with it.
private struct Reader {
    let environment: [String: String]

    func text(_ name: String, default value: String) throws(DeployCheckError) -> String {
        let found = environment["CONCIERGE_DEPLOY_" + name].flatMap { $0.isEmpty ? nil : $0 } ?? value
        guard !found.contains(where: \.isNewline) else {
            throw DeployCheckError("CONCIERGE_DEPLOY_\(name) must be one line")
        }
        return found
    }

    /// A value written into an instance's env file, which both systemd and bash read: no quoting needed.
    func plain(_ name: String, default value: String) throws(DeployCheckError) -> String {
        let found = try text(name, default: value)
        guard Self.isPlain(found) else {
            throw DeployCheckError(
                "CONCIERGE_DEPLOY_\(name) has characters this script does not pass on safely: '\(found)'")
        }
        return found
    }

    func wholeNumber(_ name: String, default value: String) throws(DeployCheckError) -> Int {
        let found = try text(name, default: value)
        guard found.allSatisfy(\.isASCII), found.allSatisfy(\.isNumber), let number = Int(found) else {
            throw DeployCheckError("CONCIERGE_DEPLOY_\(name) must be a whole number, not '\(found)'")
        }
        return number
    }

    func seconds(_ name: String, default value: String) throws(DeployCheckError) -> DeployDuration {
        let found = try text(name, default: value)
        guard let duration = DeployDuration(found) else {
            throw DeployCheckError("CONCIERGE_DEPLOY_\(name) must be a number of seconds, not '\(found)'")
        }
        return duration
    }

    /// "0", "1", "0.05", ".5" or "1.00": as the `concierge deploy-check` options take them.
    func share(_ name: String, default value: String) throws(DeployCheckError) -> String {
        let found = try text(name, default: value)
        guard found.wholeMatch(of: /0|1|0?\.[0-9]+|1\.0*/) != nil else {
            throw DeployCheckError("CONCIERGE_DEPLOY_\(name) must be a share between 0 and 1, not '\(found)'")
        }
        return found
    }

    func instances(_ colour: Colour, default value: String) throws(DeployCheckError) -> [DeployInstance] {
        let name = "\(colour.rawValue.uppercased())_INSTANCES"
        let words = try text(name, default: value).split(separator: " ").map(String.init)
        guard !words.isEmpty else { throw DeployCheckError("CONCIERGE_DEPLOY_\(name) lists no instance") }
        return try words.map { word throws(DeployCheckError) in
            guard let instance = DeployInstance(parsing: word) else {
                throw DeployCheckError("CONCIERGE_DEPLOY_\(name): '\(word)' is not HOST:PORT")
            }
            return instance
        }
    }

    func hostRegistries() throws(DeployCheckError) -> [(host: String, folder: String)] {
        try text("HOST_REGISTRIES", default: "").split(separator: " ").map { pair throws(DeployCheckError) in
            guard let match = pair.wholeMatch(of: /([A-Za-z0-9.-]+)=(.+)/), Self.isPlain(String(match.output.2)) else {
                throw DeployCheckError("CONCIERGE_DEPLOY_HOST_REGISTRIES: '\(pair)' is not HOST=FOLDER")
            }
            return (String(match.output.1), String(match.output.2))
        }
    }

    func launcher() throws(DeployCheckError) -> DeploySettings.Launcher {
        let found = try text("LAUNCHER", default: "systemd")
        guard let launcher = DeploySettings.Launcher(rawValue: found) else {
            throw DeployCheckError("CONCIERGE_DEPLOY_LAUNCHER must be systemd or process, not '\(found)'")
        }
        return launcher
    }

    func publicURL() throws(DeployCheckError) -> String {
        var found = try text("PUBLIC_URL", default: "http://127.0.0.1")
        if found.hasSuffix("/") { found.removeLast() }
        guard found.hasPrefix("http://") || found.hasPrefix("https://") else {
            throw DeployCheckError("CONCIERGE_DEPLOY_PUBLIC_URL must start with http:// or https://, not '\(found)'")
        }
        return found
    }

    private static func isPlain(_ value: String) -> Bool {
        value.wholeMatch(of: /[A-Za-z0-9_.\/:@+,=-]+/) != nil
    }
}
