// `concierge keys new`, and `concierge serve` with API keys, CORS and a rate limit, configured from the command line
// and the environment, reloading its keys on SIGHUP; the deploy checks presenting a key from --credentials-file.
// The rules themselves (each status, each header) are ConciergeHTTPTests' HTTPAccessControlTests.

import ConciergeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ServeAccessTests {
    /// A key made by `concierge keys new`: its token file and the line it printed, appended to `keyFile`.
    private static func newKey(
        _ binary: String, scopes: String, name: String, in scratch: ScratchDirectory, keyFile: String
    ) throws -> String {
        let tokenFile = scratch.path + "/\(name).token"
        let made = try runProcess(
            binary, ["keys", "new", "--scopes", scopes, "--name", name, "--token-file", tokenFile])
        #expect(made.status == 0, "\(made.stderr)")
        let existing = (try? String(contentsOfFile: keyFile, encoding: .utf8)) ?? ""
        try (existing + made.stdout).write(toFile: keyFile, atomically: true, encoding: .utf8)
        return tokenFile
    }

    private static func status(_ url: String, tokenFile: String? = nil, extra: [String] = []) throws -> String {
        let token = try tokenFile.map {
            try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .newlines)
        }
        return try runCurl(
            ["-s", "-o", "/dev/null", "-w", "%{http_code}"]
                + (token.map { ["-H", "Authorization: Bearer \($0)"] } ?? [])
                + extra + [url]
        ).stdout
    }

    @Test func keysNewWritesTheTokenAloneAndPrintsOnlyItsHash() throws {
        guard let binary = requireConciergeBinary() else { return }
        let scratch = ScratchDirectory("keys-new")
        let tokenFile = scratch.path + "/token"
        let made = try runProcess(
            binary, ["keys", "new", "--scopes", "recommend,model", "--name", "crm-2026-12", "--token-file", tokenFile])
        #expect(made.status == 0, "\(made.stderr)")
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(token.hasPrefix("ck_"))
        let mode = try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(
            made.stdout.range(of: #"^sha256:[0-9a-f]{64} model,recommend crm-2026-12\n$"#, options: .regularExpression)
                != nil)
        #expect(!made.stdout.contains(token))

        let again = try runProcess(
            binary, ["keys", "new", "--scopes", "recommend", "--name", "other", "--token-file", tokenFile])
        #expect(again.status != 0)
        #expect(again.stderr.contains("File exists"), "\(again.stderr)")
        let unknown = try runProcess(
            binary, ["keys", "new", "--scopes", "recommend,orders", "--name", "x", "--token-file", tokenFile + "2"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("'orders' is not a scope"), "\(unknown.stderr)")
    }

    @Test func serveChecksKeysFromTheEnvironmentAndReloadsThemOnSIGHUP() throws {
        guard let binary = requireConciergeBinary() else { return }
        let scratch = ScratchDirectory("serve-keys")
        let keyFile = scratch.path + "/keys"
        let old = try Self.newKey(binary, scopes: "recommend", name: "old", in: scratch, keyFile: keyFile)
        let server = try ServeProcess(
            binary: binary,
            environment: [
                "CONCIERGE_API_KEYS": keyFile, "CONCIERGE_CORS_ORIGINS": "http://127.0.0.1:1 http://127.0.0.1:2",
            ])
        defer { server.stop() }
        #expect(server.waitUntilReady(), "\(server.log)")
        let base = "http://127.0.0.1:\(server.port)"
        #expect(try Self.status(base + "/similar?item=x") == "401")
        #expect(try Self.status(base + "/similar?item=x", tokenFile: old) == "404")
        #expect(try Self.status(base + "/model", tokenFile: old) == "403")
        #expect(try Self.status(base + "/live") == "200")
        let preflight = try runCurl([
            "-s", "-i", "-X", "OPTIONS", "-H", "Origin: http://127.0.0.1:2", "-H",
            "Access-Control-Request-Method: POST",
            base + "/recommend",
        ]).stdout
        #expect(preflight.hasPrefix("HTTP/1.1 204"), "\(preflight)")
        #expect(preflight.contains("Access-Control-Allow-Origin: http://127.0.0.1:2"), "\(preflight)")

        // Rotation: the new key works beside the old one, then the old line goes.
        let new = try Self.newKey(binary, scopes: "recommend,model", name: "new", in: scratch, keyFile: keyFile)
        #expect(try Self.status(base + "/model", tokenFile: new) == "401", "not before SIGHUP")
        server.signal(SIGHUP)
        #expect(poll(until: 5) { (try? Self.status(base + "/model", tokenFile: new)) == "200" }, "\(server.log)")
        #expect(try Self.status(base + "/similar?item=x", tokenFile: old) == "404")
        let lines = try String(contentsOfFile: keyFile, encoding: .utf8).split(separator: "\n")
        try (lines.filter { !$0.hasSuffix(" old") }.joined(separator: "\n") + "\n").write(
            toFile: keyFile, atomically: true, encoding: .utf8)
        server.signal(SIGHUP)
        #expect(poll(until: 5) { (try? Self.status(base + "/similar?item=x", tokenFile: old)) == "401" })

        try "garbage\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        server.signal(SIGHUP)
        #expect(poll(until: 5) { server.log.contains("kept the API keys in use") }, "\(server.log)")
        #expect(try Self.status(base + "/model", tokenFile: new) == "200")
        for token in [old, new] {
            #expect(
                !server.log.contains(
                    try String(contentsOfFile: token, encoding: .utf8).trimmingCharacters(in: .newlines)))
        }
    }

    @Test func theRateLimitAnswers429WithRetryAfterOverHTTP2Too() throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServeProcess(binary: binary, arguments: ["--rate-limit", "0.5/s", "--rate-burst", "2"])
        defer { server.stop() }
        #expect(server.waitUntilReady(), "\(server.log)")
        let url = "http://127.0.0.1:\(server.port)/similar?item=x"
        #expect(try Self.status(url) == "404")
        #expect(try Self.status(url, extra: ["--http2-prior-knowledge"]) == "404")
        let limited = try runCurl(["-s", "-i", "--http2-prior-knowledge", url]).stdout
        #expect(limited.hasPrefix("HTTP/2 429"), "\(limited)")
        #expect(limited.contains("retry-after: 2"), "\(limited)")
        #expect(try Self.status("http://127.0.0.1:\(server.port)/health") == "200")
    }

    @Test func badAccessOptionsAreRefused() throws {
        guard let binary = requireConciergeBinary() else { return }
        for (arguments, message) in [
            (["--cors-origin", "*"], "--cors-origin '*'"), (["--rate-limit", "5"], "--rate-limit"),
            (["--rate-burst", "3"], "--rate-burst needs --rate-limit"),
            (["--api-keys", "/nonexistent/keys"], "cannot read the API key file /nonexistent/keys"),
        ] {
            let run = try runProcess(
                binary, ["serve", "--port", "0", "--registry", SampleModel.registry.directory] + arguments)
            #expect(run.status != 0)
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
    }

    @Test func deployChecksPresentTheKeyFromCredentialsFile() throws {
        guard let binary = requireConciergeBinary() else { return }
        let scratch = ScratchDirectory("deploy-keys")
        let keyFile = scratch.path + "/keys"
        let token = try Self.newKey(binary, scopes: "recommend,metrics", name: "deploy", in: scratch, keyFile: keyFile)
        let server = try ServeProcess(binary: binary, arguments: ["--api-keys", keyFile])
        defer { server.stop() }
        #expect(server.waitUntilReady(), "\(server.log)")
        let url = "http://127.0.0.1:\(server.port)"
        let golden = [
            "deploy-check", "golden", "--new", url, "--version", "production", "--registry",
            SampleModel.registry.directory,
        ]
        let refused = try runProcess(binary, golden)
        #expect(refused.status == 1)
        #expect(refused.stdout.contains(": 401 {"), "\(refused.stdout)")
        let accepted = try runProcess(binary, golden + ["--credentials-file", token])
        #expect(accepted.status == 0, "\(accepted.stdout)\(accepted.stderr)")

        let baseline = scratch.path + "/baseline"
        let bearer =
            "Authorization: Bearer "
            + (try String(contentsOfFile: token, encoding: .utf8))
            .trimmingCharacters(in: .newlines)
        try runCurl(["-sS", "-H", bearer, url + "/metrics"]).stdout.write(
            toFile: baseline, atomically: true, encoding: .utf8)
        let judge = [
            "deploy-check", "judge", "--url", url, "--baseline", baseline, "--max-5xx-ratio", "0.01", "--max-p99", "1",
            "--min-requests", "1",
        ]
        let unjudged = try runProcess(binary, judge)
        #expect(unjudged.status != 0)
        #expect(unjudged.stderr.contains("/metrics answered 401"), "\(unjudged.stderr)")
        let judged = try runProcess(binary, judge + ["--credentials-file", token])
        #expect(judged.status == 0, "\(judged.stdout)\(judged.stderr)")
        let missing = try runProcess(binary, judge + ["--credentials-file", scratch.path + "/none"])
        #expect(missing.stderr.contains("cannot read the credentials file"), "\(missing.stderr)")
    }
}
