import ConciergeTestSupport
import Foundation
import Testing

/// `concierge deploy-check` against a real `concierge serve`, as deploy/deploy.sh runs it.
@Suite struct DeployCheckCommandTests {
    private let models = SampleModel.registry.directory

    @Test func goldenRequestsFromTheVersionsIdsAndTheirOverlap() throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServeProcess(binary: binary)
        defer { server.stop() }
        #expect(server.waitUntilReady(), "\(server.log)")
        let url = "http://127.0.0.1:\(server.port)"
        let golden = try runProcess(
            binary,
            [
                "deploy-check", "golden", "--new", url, "--active", url, "--model", "roomservice", "--version",
                "production", "--min-overlap", "1", "--registry", models,
            ])
        #expect(golden.status == 0, "\(golden.stdout)\(golden.stderr)")
        #expect(golden.stdout.contains("golden requests: 30 of 30 answered 200 with items"), "\(golden.stdout)")
        #expect(golden.stdout.contains("mean 1.000, lowest 1.000, all kept in 30 of 30"), "\(golden.stdout)")
    }

    @Test func aGoldenRequestWithoutItemsFails() throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServeProcess(binary: binary)
        defer { server.stop() }
        #expect(server.waitUntilReady(), "\(server.log)")
        let scratch = ScratchDirectory()
        let file = scratch.path + "/golden.txt"
        try "# a guest no version knows\nguest no-such-guest\n".write(toFile: file, atomically: true, encoding: .utf8)
        let golden = try runProcess(
            binary, ["deploy-check", "golden", "--new", "http://127.0.0.1:\(server.port)", "--requests", file])
        #expect(golden.status == 1)
        #expect(golden.stdout.hasPrefix("  /recommend?k=10&user=no-such-guest: 400 {\"error\""), "\(golden.stdout)")
        #expect(golden.stderr.contains("1 of 1 golden requests did not answer 200 with items"), "\(golden.stderr)")

        try "guest\n".write(toFile: file, atomically: true, encoding: .utf8)
        let malformed = try runProcess(
            binary, ["deploy-check", "golden", "--new", "http://127.0.0.1:\(server.port)", "--requests", file])
        #expect(malformed.status != 0)
        #expect(
            malformed.stderr.contains("\(file) line 1: expected \"guest ID\" or \"item ID\""), "\(malformed.stderr)")
    }

    @Test func judgeTheTrafficSinceABaseline() throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServeProcess(binary: binary)
        defer { server.stop() }
        #expect(server.waitUntilReady(), "\(server.log)")
        let url = "http://127.0.0.1:\(server.port)"
        let scratch = ScratchDirectory()
        let baseline = scratch.path + "/baseline"
        try Curl.get(url + "/metrics").body.write(toFile: baseline, atomically: true, encoding: .utf8)
        let guest = try SampleModel.registry.open().userID(0)
        for _ in 0..<5 { _ = try Curl.get(url + "/recommend?k=10&user=\(guest)") }
        _ = try Curl.get(url + "/similar?k=10&item=no-such-item")

        func judge(_ limits: [String]) throws -> ProcessResult {
            try runProcess(binary, ["deploy-check", "judge", "--url", url, "--baseline", baseline] + limits)
        }
        let unjudged = try judge(["--max-5xx-ratio", "0", "--max-p99", "0", "--min-requests", "7"])
        #expect(unjudged.status == 0, "\(unjudged.stderr)")
        #expect(unjudged.stdout.hasPrefix("requests=6 errors_5xx=0 ratio=0.0000 p99_s="), "\(unjudged.stdout)")
        #expect(unjudged.stdout.hasSuffix(" judged=0\n"))

        let healthy = try judge(["--max-5xx-ratio", "0", "--max-p99", "10", "--min-requests", "6"])
        #expect(healthy.status == 0 && healthy.stdout.hasSuffix(" judged=1\n"), "\(healthy.stdout)\(healthy.stderr)")

        let slow = try judge(["--max-5xx-ratio", "0", "--max-p99", "0.0000001", "--min-requests", "6"])
        #expect(slow.status == 1)
        #expect(
            slow.stderr.contains("p99 of ") && slow.stderr.contains("(over 6 requests) is above 1e-07 s"),
            "\(slow.stderr)")

        let gone = try runProcess(
            binary,
            [
                "deploy-check", "judge", "--url", "http://127.0.0.1:\(try freePort())", "--baseline", baseline,
                "--max-5xx-ratio", "0", "--max-p99", "1", "--min-requests", "1",
            ])
        #expect(gone.status == 1 && gone.stdout.isEmpty, "\(gone.stdout)")
    }

    /// The window in two runs, as deploy.sh watches: to the end of the grace period, then to the end; the limits
    /// and the colour's instances from its settings.
    @Test func watchTheTrafficSinceTheFlipInTwoParts() throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServeProcess(binary: binary)
        defer { server.stop() }
        #expect(server.waitUntilReady(), "\(server.log)")
        let scratch = ScratchDirectory()
        let window = scratch.path + "/window"
        let environment = [
            "CONCIERGE_DEPLOY_GREEN_INSTANCES": "127.0.0.1:\(server.port)", "CONCIERGE_DEPLOY_GRACE_SECONDS": "0.3",
            "CONCIERGE_DEPLOY_ANALYSIS_SECONDS": "3", "CONCIERGE_DEPLOY_ANALYSIS_INTERVAL": "0.5",
            "CONCIERGE_DEPLOY_ANALYSIS_MIN_REQUESTS": "3",
        ]
        func watch(_ part: String, _ options: String...) throws -> ProcessResult {
            try runProcess(
                binary, ["deploy-check", "watch", "green", "--window", window, "--until", part] + options,
                environment: environment)
        }
        let grace = try watch("grace")
        #expect(grace.status == 0, "\(grace.stderr)")
        #expect(grace.stdout.hasPrefix("green since the flip: requests=0 errors_5xx=0 "), "\(grace.stdout)")
        #expect(grace.stdout.hasSuffix(" judged=0\n"), "\(grace.stdout)")

        let guest = try SampleModel.registry.open().userID(0)
        for _ in 0..<3 { _ = try Curl.get("http://127.0.0.1:\(server.port)/recommend?k=10&user=\(guest)") }
        let end = try watch("end")
        #expect(end.status == 0, "\(end.stderr)")
        #expect(end.stdout.contains("green since the flip: requests=3 errors_5xx=0 "), "since the first run's flip")
        let summary = try String(contentsOfFile: window + "/summary", encoding: .utf8)
        #expect(summary.hasPrefix("requests=3 errors_5xx=0 ") && summary.hasSuffix(" judged=1"), "\(summary)")
        #expect(try watch("end").stdout.isEmpty, "the window is over: no more looks")

        try FileManager.default.removeItem(atPath: window)
        let judgedAtOnce = try watch("grace", "--min-requests", "0")
        #expect(judgedAtOnce.stdout.hasSuffix(" judged=1\n"), "the option over the setting: \(judgedAtOnce.stdout)")

        try FileManager.default.removeItem(atPath: window)
        let port = try freePort()
        let gone = try runProcess(
            binary, ["deploy-check", "watch", "blue", "--window", window, "--until", "end"],
            environment: ["CONCIERGE_DEPLOY_BLUE_INSTANCES": "127.0.0.1:\(port)"])
        #expect(gone.status == 1)
        #expect(
            gone.stderr.hasPrefix("Error: blue: http://127.0.0.1:\(port) does not answer /metrics"), "\(gone.stderr)")
    }
}
