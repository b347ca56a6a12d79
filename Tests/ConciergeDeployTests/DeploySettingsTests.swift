import ConciergeDeploy
import Testing

@Suite struct DeploySettingsTests {
    private func settings(_ variables: [String: String]) throws(DeployCheckError) -> DeploySettings {
        try DeploySettings(
            environment: Dictionary(uniqueKeysWithValues: variables.map { ("CONCIERGE_DEPLOY_" + $0.key, $0.value) }))
    }

    private func refusal(_ variables: [String: String]) -> String? {
        do {
            _ = try settings(variables)
            return nil
        } catch { return error.description }
    }

    @Test func productionDefaults() throws {
        let defaults = try settings([:])
        #expect(defaults.instanceList(.blue) == "127.0.0.1:8081")
        #expect(defaults.instanceList(.green) == "127.0.0.1:8082")
        #expect(defaults.launcher == .systemd)
        #expect(defaults.upstreamFile == "/etc/nginx/concierge/upstream.conf")
        #expect(defaults.readyTimeout == DeployDuration("120"))
        #expect(defaults.credentialsFile == "")
        #expect(defaults.shellAssignments.contains("READY_TIMEOUT_US=120000000"))
        #expect(defaults.shellAssignments.contains("LOCK_TIMEOUT_US=0"))
        #expect(defaults.shellAssignments.contains("DEPLOY_LOG=/var/lib/concierge/deploy.log"))
        // 120 s to start again, 15 s to flip, 25 s to drain, and a minute to spare.
        #expect(defaults.shellAssignments.contains("ROLLBACK_PATIENCE=220"))
    }

    /// An empty variable is unset, as `${X:-default}` reads it; the one-instance default is made of the host and ports.
    @Test func emptyVariablesTakeTheDefault() throws {
        let given = try settings([
            "MODEL": "", "INSTANCE_HOST": "10.0.0.5", "BLUE_PORT": "9001", "PUBLIC_URL": "https://shop.example/",
        ])
        #expect(given.model == "roomservice")
        #expect(given.instanceList(.blue) == "10.0.0.5:9001")
        #expect(given.instanceList(.green) == "10.0.0.5:8082")
        #expect(given.publicURL == "https://shop.example")
    }

    @Test func instancesAndTheirHostsRegistries() throws {
        let fleet = try settings([
            "BLUE_INSTANCES": "10.0.0.2:8081  10.0.0.3:8081", "GREEN_INSTANCES": "10.0.0.2:8082 10.0.0.3:8082",
            "HOST_REGISTRIES": "10.0.0.3=/srv/models",
        ])
        #expect(fleet.instances[.blue] == [.init(host: "10.0.0.2", port: 8081), .init(host: "10.0.0.3", port: 8081)])
        #expect(fleet.instanceList(.blue) == "10.0.0.2:8081 10.0.0.3:8081")
        #expect(fleet.registry(on: "10.0.0.3") == "/srv/models")
        #expect(fleet.registry(on: "10.0.0.2") == "/var/lib/concierge/models")
        #expect(
            fleet.hosts(of: .green).map { "\($0.host) \($0.registry)" } == [
                "10.0.0.2 /var/lib/concierge/models", "10.0.0.3 /srv/models",
            ])
        let twoOnOneHost = try settings(["LAUNCHER": "process", "BLUE_INSTANCES": "10.0.0.2:1 10.0.0.2:2 10.0.0.3:1"])
        #expect(twoOnOneHost.hosts(of: .blue).map(\.host) == ["10.0.0.2", "10.0.0.3"])
        #expect(
            InstanceEnvironment.render(
                .init(host: "10.0.0.3", port: 8082), of: .green, version: "4", settings: fleet, written: "now")
                    == """
                    # Written by deploy.sh on now: what 10.0.0.3:8082 (green) runs with.
                    CONCIERGE_COLOR=green
                    CONCIERGE_HOST=10.0.0.3
                    CONCIERGE_PORT=8082
                    CONCIERGE_REGISTRY=/srv/models
                    CONCIERGE_MODEL=roomservice
                    CONCIERGE_VERSION=4
                    CONCIERGE_DRAIN_TIMEOUT=25

                    """)
    }

    @Test func theWatchsLimits() throws {
        #expect(
            try settings([:]).trafficLimits
                == .init(maximumErrorRatio: 0.01, maximumP99: 0.25, minimumRequests: 100))
        #expect(
            try settings(["MAX_5XX_RATIO": ".5", "MAX_P99_SECONDS": "1.5", "ANALYSIS_MIN_REQUESTS": "7"]).trafficLimits
                == .init(maximumErrorRatio: 0.5, maximumP99: 1.5, minimumRequests: 7))
    }

    @Test func durationsInMicroseconds() {
        #expect(DeployDuration("2")?.microseconds == 2_000_000)
        #expect(DeployDuration("0.5")?.microseconds == 500_000)
        #expect(DeployDuration(".25")?.microseconds == 250_000)
        #expect(DeployDuration("1.0000019")?.microseconds == 1_000_001)
        for wrong in ["", ".", "5.", "-1", "1e3", "2s", "1.2.3"] { #expect(DeployDuration(wrong) == nil, "\(wrong)") }
    }

    @Test func eachWrongSettingIsNamed() {
        #expect(
            refusal(["UPSTREAM_KEEPALIVE": "many"])
                == "CONCIERGE_DEPLOY_UPSTREAM_KEEPALIVE must be a whole number, not 'many'")
        #expect(
            refusal(["READY_TIMEOUT": "2m"]) == "CONCIERGE_DEPLOY_READY_TIMEOUT must be a number of seconds, not '2m'")
        #expect(refusal(["ANALYSIS_INTERVAL": "0.0"]) == "CONCIERGE_DEPLOY_ANALYSIS_INTERVAL must be above 0")
        #expect(
            refusal(["MAX_5XX_RATIO": "1.5"])
                == "CONCIERGE_DEPLOY_MAX_5XX_RATIO must be a share between 0 and 1, not '1.5'")
        #expect(refusal(["GOLDEN_MIN_OVERLAP": ".9"]) == nil)
        #expect(refusal(["LAUNCHER": "docker"]) == "CONCIERGE_DEPLOY_LAUNCHER must be systemd or process, not 'docker'")
        #expect(refusal(["LAUNCHER": "process", "SSH": "ssh"]) == "CONCIERGE_DEPLOY_SSH needs the systemd launcher")
        #expect(
            refusal(["STATE_DIR": "/var/lib/my concierge"])
                == "CONCIERGE_DEPLOY_STATE_DIR has characters this script does not pass on safely: '/var/lib/my concierge'"
        )
        #expect(refusal(["BLUE_INSTANCES": "   "]) == "CONCIERGE_DEPLOY_BLUE_INSTANCES lists no instance")
        #expect(refusal(["GREEN_INSTANCES": "host:0"]) == "CONCIERGE_DEPLOY_GREEN_INSTANCES: 'host:0' is not HOST:PORT")
        #expect(
            refusal(["GREEN_INSTANCES": "host:65536"])
                == "CONCIERGE_DEPLOY_GREEN_INSTANCES: 'host:65536' is not HOST:PORT")
        #expect(refusal(["GREEN_INSTANCES": "h_1:80"]) == "CONCIERGE_DEPLOY_GREEN_INSTANCES: 'h_1:80' is not HOST:PORT")
        #expect(
            refusal(["BLUE_INSTANCES": "a:1 b:2", "GREEN_INSTANCES": "b:2 a:1 c:3"])
                == "an instance is listed twice (blue and green must differ): a:1 b:2")
        #expect(
            refusal(["HOST_REGISTRIES": "a=/srv/x b"]) == "CONCIERGE_DEPLOY_HOST_REGISTRIES: 'b' is not HOST=FOLDER")
        #expect(
            refusal(["PUBLIC_URL": "127.0.0.1:8080"])
                == "CONCIERGE_DEPLOY_PUBLIC_URL must start with http:// or https://, not '127.0.0.1:8080'")
        #expect(refusal(["GOLDEN_REQUESTS": "a\nb"]) == "CONCIERGE_DEPLOY_GOLDEN_REQUESTS must be one line")
    }

    /// concierge@blue and concierge@green: two units per host at most, whatever the ports.
    @Test func systemdRunsOneInstancePerColourOnAHost() {
        let twoOnOneHost = ["BLUE_INSTANCES": "a:1 a:2", "GREEN_INSTANCES": "a:3"]
        #expect(
            refusal(twoOnOneHost)
                == "with systemd, a host runs one instance per colour (concierge@blue, concierge@green)")
        #expect(refusal(twoOnOneHost.merging(["LAUNCHER": "process"]) { $1 }) == nil)
    }
}
