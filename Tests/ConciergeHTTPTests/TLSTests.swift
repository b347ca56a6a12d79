// TLS end to end: curl over HTTP/2 and HTTP/1.1 with a certificate the tests make, ALPN, the protocol floor,
// mutual TLS, bad handshakes that close only their own connection, and certificate reloads that leave
// open connections alone.

import COpenSSL
import ConciergeTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import ConciergeHTTP

#if canImport(Glibc)
    import Glibc
#endif

@Suite("TLS")
struct TLSTests {
    static func url(_ server: HTTPServer, _ path: String) -> String { "https://127.0.0.1:\(server.port)\(path)" }

    /// A server on the first test certificate; `clientCA`: mutual TLS.
    static func withTLSServer<T>(
        clientCA: Bool = false, _ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        _ body: (HTTPServer, HTTPServerConfiguration.TLS) async throws -> T
    ) async throws -> T {
        let tls = try TestCertificates.serverTLS(clientCA: clientCA)
        return try await withTestServer({
            $0.tls = tls
            configure(&$0)
        }) { server in try await body(server, tls) }
    }

    static func curl(_ arguments: [String]) throws -> ProcessResult {
        try runCurl(["-sS", "--cacert", try TestCertificates.files.get().caCertificate] + arguments)
    }

    @Test func http2OverTLSThroughALPN() async throws {
        try await Self.withTLSServer { server, _ in
            let result = try Self.curl(["-i", "--http2", "-w", "\n%{http_version}", Self.url(server, "/health")])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("HTTP/2 200"), "\(result.stdout)")
            #expect(result.stdout.contains("\r\nserver: concierge\r\n"))
            #expect(result.stdout.hasSuffix(#"{"status":"ok"}"# + "\n2"))
            let client = try TLSTestClient(port: server.port, alpn: ["h2", "http/1.1"])
            #expect(client.negotiatedProtocol == "h2")
            #expect(client.protocolVersion == "TLSv1.3")
        }
    }

    @Test func http1OverTLSKeepsItsConnection() async throws {
        try await Self.withTLSServer { server, _ in
            let result = try Self.curl([
                "--http1.1", "-o", "/dev/null", "-o", "/dev/null", "-w",
                "%{http_version} %{http_code} %{num_connects}\n",
                Self.url(server, "/health"), Self.url(server, "/query?a=1"),
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "1.1 200 1\n1.1 200 0\n", "\(result.stdout)")
            let client = try TLSTestClient(port: server.port, alpn: ["http/1.1"])
            #expect(client.negotiatedProtocol == "http/1.1")
            let echo = try client.exchange(postRequest("/echo", body: "over TLS"))
            #expect(echo.status == 200)
            #expect(echo.bodyString == "over TLS")
            #expect(try client.exchange(getRequest("/health")).status == 200)
        }
    }

    /// No ALPN at all: the first bytes decide, as on the cleartext port. h2c upgrade is not offered over TLS.
    @Test func withoutALPNTheFirstBytesDecide() async throws {
        try await Self.withTLSServer { server, _ in
            let plain = try TLSTestClient(port: server.port, alpn: [])
            #expect(plain.negotiatedProtocol == nil)
            let upgrade = try plain.exchange(
                getRequest(
                    "/health",
                    headers: [
                        "Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c",
                        "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA",
                    ]))
            #expect(upgrade.status == 200, "no 101 over TLS: \(upgrade)")
            let priorKnowledge = try Self.curl([
                "--http2-prior-knowledge", "-w", " %{http_version}", Self.url(server, "/health"),
            ])
            #expect(priorKnowledge.status == 0, "\(priorKnowledge.stderr)")
            #expect(priorKnowledge.stdout.hasSuffix(" 2"), "\(priorKnowledge.stdout)")
        }
    }

    @Test func nghttpManyStreamsOverTLS() async throws {
        guard let nghttp = requireTool("nghttp") else { return }
        try await Self.withTLSServer { server, _ in
            let result = try runProcess(nghttp, ["-n", "-s", "-m", "50", Self.url(server, "/health")], timeout: 30)
            #expect(result.status == 0, "\(result.stderr)")
            let rows = result.stdout.split(separator: "\n").map { $0.split(separator: " ") }.filter {
                $0.last == "/health"
            }
            #expect(rows.count == 50 && rows.allSatisfy { $0[4] == "200" }, "\(result.stdout)")
            #expect(server.statistics.snapshot().acceptedConnections == 1)
        }
    }

    @Test func tls12IsTheFloor() async throws {
        try await Self.withTLSServer { server, _ in
            let tls12 = try TLSTestClient(port: server.port, alpn: ["h2"], maxVersion: TLS1_2_VERSION)
            #expect(tls12.protocolVersion == "TLSv1.2")
            #expect(tls12.negotiatedProtocol == "h2")
            let tls11 = try Self.curl([
                "--tlsv1.0", "--tls-max", "1.1", "--ciphers", "DEFAULT@SECLEVEL=0", Self.url(server, "/health"),
            ])
            #expect(tls11.status != 0, "TLS 1.1 must be refused: \(tls11.stdout)")
            #expect(poll(until: 2) { server.statistics.snapshot().tlsHandshakeFailures == 1 })
        }
    }

    @Test func garbageAndPlainHTTPCloseOnlyTheirConnections() async throws {
        try await Self.withTLSServer { server, _ in
            let bystander = try TLSTestClient(port: server.port)
            #expect(try bystander.exchange(getRequest("/health")).status == 200)

            let garbage = try RawClient(port: server.port)
            try garbage.send((0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37) })
            #expect(try garbage.waitForClose())

            let plain = try RawClient(port: server.port)
            try plain.send(getRequest("/health"))
            #expect(try plain.waitForClose())
            #expect(
                !String(decoding: plain.unread, as: UTF8.self).hasPrefix("HTTP/"), "no cleartext answer on a TLS port")

            #expect(poll(until: 2) { server.statistics.snapshot().tlsHandshakeFailures == 2 })
            #expect(try bystander.exchange(getRequest("/health")).status == 200)
            let next = try TLSTestClient(port: server.port)
            #expect(try next.exchange(getRequest("/health")).status == 200)
        }
    }

    @Test func silentClientIsDroppedAtTheHeaderDeadline() async throws {
        try await Self.withTLSServer({ $0.timeouts.header = .milliseconds(300) }) { server, _ in
            let silent = try RawClient(port: server.port)
            #expect(try silent.waitForClose(timeout: 3), "a handshake that never starts is bounded like a request head")
        }
    }

    /// After the handshake the first request must still begin within the header deadline counted from the
    /// accept, whatever ALPN chose; the idle timeout is for connections that were answered already.
    @Test(arguments: [["http/1.1"], ["h2"], []])
    func connectionWithoutARequestIsClosedAtTheHeaderDeadline(alpn: [String]) async throws {
        let idleFarBeyondHeader = { (configuration: inout HTTPServerConfiguration) in
            configuration.timeouts.header = .seconds(1)
            configuration.timeouts.idle = .seconds(30)
        }
        try await Self.withTLSServer(idleFarBeyondHeader) { server, _ in
            let started = Date()
            let client = try TLSTestClient(port: server.port, alpn: alpn)
            let received = try client.readUntilClosed()
            let took = elapsed(since: started)
            #expect(took >= 0.95, "closed after \(took) s")
            #expect(took < 2, "closed after \(took) s")
            #expect(!String(decoding: received, as: UTF8.self).contains("HTTP/1.1"), "no 408 for a request never begun")
        }
    }

    /// `openssl s_client -reconnect`: a first handshake, then five more offering its session.
    static func resumptionReport(_ server: HTTPServer, _ options: [String]) throws -> [String] {
        let files = try TestCertificates.files.get()
        let result = try runProcess(
            "/usr/bin/openssl",
            ["s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", files.caCertificate, "-reconnect"]
                + options,
            timeout: 30)
        return result.stdout.split(separator: "\n").filter { $0.hasPrefix("New,") || $0.hasPrefix("Reused,") }
            .map { String($0.prefix { $0 != "," }) }
    }

    /// By the server's session cache (`-no_ticket`), and by a session ticket.
    @Test(arguments: [["-no_ticket"], []])
    func tls12SessionsAreResumed(options: [String]) async throws {
        try await Self.withTLSServer { server, _ in
            let handshakes = try Self.resumptionReport(server, ["-tls1_2"] + options)
            #expect(handshakes == ["New"] + Array(repeating: "Reused", count: 5), "\(handshakes)")
        }
    }

    /// With the test client: `s_client -reconnect` does not wait for TLS 1.3's tickets, which come after
    /// the handshake.
    @Test func tls13SessionsAreResumed() async throws {
        try await Self.withTLSServer { server, _ in
            let first = try TLSTestClient(port: server.port)
            #expect(try first.exchange(getRequest("/health")).status == 200)
            let saved = try #require(first.resumableSession())
            first.close()
            #expect(poll(until: 2) { server.statistics.snapshot().openConnections == 0 })
            let second = try TLSTestClient(port: server.port, resuming: saved)
            #expect(second.protocolVersion == "TLSv1.3")
            #expect(second.isResumed)
            #expect(try second.exchange(getRequest("/health")).status == 200)
        }
    }

    @Test func mutualTLSNeedsATrustedClientCertificate() async throws {
        let files = try TestCertificates.files.get()
        try await Self.withTLSServer(clientCA: true) { server, _ in
            let trusted = try TLSTestClient(
                port: server.port, certificate: (files.clientCertificate, files.clientKey))
            #expect(try trusted.exchange(getRequest("/health")).status == 200)

            let withCurl = try Self.curl([
                "--http2", "--cert", files.clientCertificate, "--key", files.clientKey, "-w", " %{http_version}",
                Self.url(server, "/health"),
            ])
            #expect(withCurl.stdout.hasSuffix(" 2"), "\(withCurl.stderr)")

            // TLS 1.3 finishes the client's side of the handshake before the server checks its certificate,
            // so the refusal shows on the first exchange.
            #expect(throws: ClientError.self) {
                try TLSTestClient(port: server.port).exchange(getRequest("/health"))
            }
            #expect(throws: ClientError.self) {
                try TLSTestClient(port: server.port, certificate: (files.strangerCertificate, files.strangerKey))
                    .exchange(getRequest("/health"))
            }
            let anonymous = try Self.curl([Self.url(server, "/health")])
            #expect(anonymous.status != 0, "\(anonymous.stdout)")
            #expect(poll(until: 2) { server.statistics.snapshot().tlsHandshakeFailures == 3 })
        }
    }

    @Test func reloadServesTheNewCertificateAndKeepsOpenConnections() async throws {
        let files = try TestCertificates.files.get()
        try await Self.withTLSServer { server, tls in
            let before = try TLSTestClient(port: server.port)
            #expect(before.peerCommonName == "concierge-first")
            #expect(try before.exchange(getRequest("/health")).status == 200)

            try TestCertificates.replace(tls.certificateChainPath, with: files.secondCertificate)
            try TestCertificates.replace(tls.privateKeyPath, with: files.secondKey)
            try server.reloadTLS()

            let after = try TLSTestClient(port: server.port)
            #expect(after.peerCommonName == "concierge-second")
            #expect(try after.exchange(getRequest("/health")).status == 200)
            // The connection from before the reload goes on with its own session.
            #expect(try before.exchange(getRequest("/query?still=open")).bodyString == #"[["still","open"]]"#)

            // A key that does not match: the reload fails, saying why, and the certificate in use stays.
            try TestCertificates.replace(tls.privateKeyPath, with: files.clientKey)
            #expect {
                try server.reloadTLS()
            } throws: { error in
                "\(error)".contains("does not match")
            }
            #expect(try TLSTestClient(port: server.port).peerCommonName == "concierge-second")
        }
    }

    @Test func unusableFilesFailTheStartClearly() throws {
        let files = try TestCertificates.files.get()
        let cases: [(HTTPServerConfiguration.TLS, String)] = [
            (
                .init(certificateChainPath: "/nonexistent/cert.pem", privateKeyPath: files.serverKey),
                "/nonexistent/cert.pem"
            ),
            (
                .init(certificateChainPath: files.serverCertificate, privateKeyPath: "/nonexistent/key.pem"),
                "/nonexistent/key.pem"
            ),
            (.init(certificateChainPath: files.serverCertificate, privateKeyPath: files.clientKey), "does not match"),
            (.init(certificateChainPath: files.serverKey, privateKeyPath: files.serverKey), files.serverKey),
        ]
        for (tls, expected) in cases {
            var configuration = testConfiguration()
            configuration.tls = tls
            let server = HTTPServer(configuration: configuration, router: TestRoutes.router(), logger: quietLogger)
            #expect {
                try server.start()
            } throws: { error in
                "\(error)".contains(expected)
            }
        }
    }
}
