import ConciergeTestSupport
import Foundation
import Testing

/// `concierge deploy-check settings`, `upstream`, `active-colour`, `ready` and `status`, as deploy/deploy.sh runs
/// them: its settings in the environment, a real `concierge serve` as blue.
@Suite struct DeployCheckStateCommandTests {
    @Test func aWrongSettingIsNamedOnOneLine() throws {
        guard let binary = requireConciergeBinary() else { return }
        let settings = try runProcess(
            binary, ["deploy-check", "settings"], environment: ["CONCIERGE_DEPLOY_READY_TIMEOUT": "2m"])
        #expect(settings.status == 1)
        #expect(
            settings.stderr == "Error: CONCIERGE_DEPLOY_READY_TIMEOUT must be a number of seconds, not '2m'\n",
            "\(settings.stderr)")
    }

    @Test func blueReadyBehindItsUpstream() throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServeProcess(binary: binary)
        defer { server.stop() }
        #expect(server.waitUntilReady(), "\(server.log)")
        let scratch = ScratchDirectory()
        let environment = [
            "CONCIERGE_DEPLOY_BLUE_INSTANCES": "127.0.0.1:\(server.port)",
            "CONCIERGE_DEPLOY_GREEN_INSTANCES": "127.0.0.1:\(try freePort())",
            "CONCIERGE_DEPLOY_NGINX_UPSTREAM": scratch.path + "/upstream.conf",
            "CONCIERGE_DEPLOY_STATE_DIR": scratch.path, "CONCIERGE_DEPLOY_LAUNCHER": "process",
            "CONCIERGE_DEPLOY_PUBLIC_URL": "http://127.0.0.1:\(try freePort())",
        ]
        func check(_ arguments: String...) throws -> ProcessResult {
            try runProcess(binary, ["deploy-check"] + arguments, environment: environment)
        }
        #expect(try check("active-colour").status == 1, "no upstream file yet")
        let upstream = try check("upstream", "blue", "1")
        #expect(upstream.stdout.contains("    server 127.0.0.1:\(server.port) max_fails=1 fail_timeout=10s;\n"))
        try upstream.stdout.write(toFile: scratch.path + "/upstream.conf", atomically: true, encoding: .utf8)
        #expect(try check("active-colour").stdout == "blue\n")

        #expect(try check("ready", "blue", "1").status == 0)
        let green = try check("ready", "green", "1")
        #expect(green.status == 1)
        #expect(
            green.stdout.hasSuffix(" (green) not ready after 120 s (its /health says: nothing)\n"), "\(green.stdout)")
        let elsewhere = try check("ready", "blue", "2")
        #expect(elsewhere.status == 2)
        #expect(elsewhere.stdout.contains("answers 'ready 1 blue', expected 'ready 2 blue'"), "\(elsewhere.stdout)")

        let status = try check("status", "--running", "127.0.0.1:\(server.port)")
        #expect(status.status == 1, "nginx does not answer: not healthy")
        #expect(status.stdout.contains("  blue   active  running  127.0.0.1:\(server.port)"), "\(status.stdout)")
        #expect(status.stdout.contains("ready 1 blue"), "\(status.stdout)")
        #expect(try check("status", "--one-line").stdout.hasPrefix("upstream -> blue; nginx answers from ; blue "))
    }
}
