import ConciergeDeploy
import Testing

@Suite struct UpstreamFileTests {
    private let settings = try! DeploySettings(environment: [
        "CONCIERGE_DEPLOY_BLUE_INSTANCES": "127.0.0.2:8081 127.0.0.3:8081",
        "CONCIERGE_DEPLOY_GREEN_INSTANCES": "127.0.0.2:8082 127.0.0.3:8082",
        "CONCIERGE_DEPLOY_UPSTREAM_MAX_FAILS": "2", "CONCIERGE_DEPLOY_UPSTREAM_KEEPALIVE_TIMEOUT": "30s",
    ])

    @Test func everyInstanceOfTheColourWithItsFailureLimits() {
        let expected = """
            # The instances nginx sends Concierge's traffic to: the only file a deploy rewrites (deploy/deploy.sh
            # writes it whole to a temporary file, renames it into place, runs `nginx -t`, then reloads nginx).
            # colour=green version=7 written=2026-12-04T18:00:00Z
            upstream concierge {
                server 127.0.0.2:8082 max_fails=2 fail_timeout=10s;
                server 127.0.0.3:8082 max_fails=2 fail_timeout=10s;
                # Idle connections each worker keeps open to the instances, so requests skip the TCP handshake.
                keepalive 32;
                # Shorter than the instances' --idle-timeout (75 s) and fewer than their
                # --max-requests-per-connection (10000): nginx always closes a kept connection first, so it never
                # sends a request on one an instance is closing at that moment.
                keepalive_timeout 30s;
                keepalive_requests 1000;
            }

            """
        #expect(
            UpstreamFile.render(.green, version: "7", settings: settings, written: "2026-12-04T18:00:00Z") == expected)
    }

    @Test func theActiveColourIsTheFirstServersOne() {
        let written = UpstreamFile.render(.blue, version: "1", settings: settings, written: "now")
        #expect(UpstreamFile.activeColour(in: written, settings: settings) == .blue)
        #expect(
            UpstreamFile.activeColour(in: "upstream concierge {\n\tserver 127.0.0.3:8082;\n}\n", settings: settings)
                == .green)
        #expect(
            UpstreamFile.activeColour(in: "upstream concierge {\n    server 127.0.0.9:8082;\n}\n", settings: settings)
                == nil)
        #expect(UpstreamFile.activeColour(in: "# server 127.0.0.2:8081\n", settings: settings) == nil)
        #expect(UpstreamFile.activeColour(in: "", settings: settings) == nil)
    }
}
