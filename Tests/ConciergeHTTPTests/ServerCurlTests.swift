// A real client: curl against an in-process server.

import ConciergeTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import ConciergeHTTP

@Suite("Server: curl")
struct ServerCurlTests {
    static let curlAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")

    /// The body curl printed after the last head of `-i` output.
    static func lastBody(_ output: String) -> String {
        guard let range = output.range(of: "\r\n\r\n", options: .backwards) else { return "" }
        return String(output[range.upperBound...])
    }

    @Test(.enabled(if: curlAvailable)) func get() async throws {
        try await withTestServer { server in
            let result = try runCurl(["-sS", "-i", "--http1.1", "http://127.0.0.1:\(server.port)/health"])
            #expect(result.status == 0, "\(result.stderr)")
            let heads = curlHeads(result.stdout)
            #expect(heads.count == 1)
            let head = heads.first ?? ""
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(head.contains("\r\nServer: concierge"))
            #expect(head.contains("\r\nContent-Length: 15"))
            #expect(head.contains("\r\nContent-Type: application/json"))
            #expect(head.contains("\r\nDate: "))
            #expect(head.contains("\r\nX-Request-Id: "))
            #expect(Self.lastBody(result.stdout) == #"{"status":"ok"}"#)
        }
    }

    @Test(.enabled(if: curlAvailable)) func postDataBinary() async throws {
        try await withTestServer { server in
            let result = try runCurl([
                "-sS", "-i", "--http1.1", "--data-binary", "guest=Ada&room=12\nline two",
                "-H", "X-Request-Id: curl-post", "http://127.0.0.1:\(server.port)/echo",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(result.stdout.contains("\r\nX-Request-Id: curl-post\r\n"))
            #expect(Self.lastBody(result.stdout) == "guest=Ada&room=12\nline two")
        }
    }

    @Test(.enabled(if: curlAvailable)) func expectContinue() async throws {
        try await withTestServer { server in
            let started = Date()
            // curl waits up to --expect100-timeout (1 s by default) for the 100 before sending anyway;
            // a prompt answer shows the server sent it.
            let result = try runCurl([
                "-sS", "-i", "--http1.1", "-H", "Expect: 100-continue", "--data-binary", "breakfast for two",
                "http://127.0.0.1:\(server.port)/echo",
            ])
            let took = elapsed(since: started)
            #expect(result.status == 0, "\(result.stderr)")
            let heads = curlHeads(result.stdout)
            #expect(heads.count == 2, "\(result.stdout)")
            #expect(heads.first?.hasPrefix("HTTP/1.1 100 Continue") == true)
            #expect(heads.last?.hasPrefix("HTTP/1.1 200 OK") == true)
            #expect(Self.lastBody(result.stdout) == "breakfast for two")
            #expect(took < 0.9, "curl waited \(took) s: no 100 Continue?")
        }
    }

    @Test(.enabled(if: curlAvailable)) func http10() async throws {
        try await withTestServer { server in
            let result = try runCurl([
                "-sS", "-i", "--http1.0", "-w", "\n%{http_version}", "http://127.0.0.1:\(server.port)/health",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(result.stdout.contains("\r\nConnection: close\r\n"))
            #expect(result.stdout.hasSuffix(#"{"status":"ok"}"# + "\n1.1"))
        }
    }

    @Test(.enabled(if: curlAvailable)) func keepAliveAcrossTwoURLs() async throws {
        try await withTestServer { server in
            let base = "http://127.0.0.1:\(server.port)"
            let result = try runCurl([
                "-sS", "--http1.1", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{num_connects} %{http_code}\n",
                "\(base)/health", "\(base)/query?a=1",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ") }
            #expect(lines.count == 2, "\(result.stdout)")
            let connects = lines.compactMap { $0.first.flatMap { Int($0) } }
            #expect(connects.reduce(0, +) == 1, "curl made \(connects) new connections: \(result.stdout)")
            #expect(lines.map { $0.last.map(String.init) } == ["200", "200"])
            #expect(server.statistics.snapshot().acceptedConnections == 1)
        }
    }

    @Test(.enabled(if: curlAvailable)) func headAndQueryDecoding() async throws {
        try await withTestServer { server in
            let head = try runCurl(["-sS", "-I", "--http1.1", "http://127.0.0.1:\(server.port)/health"])
            #expect(head.status == 0, "\(head.stderr)")
            #expect(head.stdout.contains("Content-Length: 15"))
            let query = try runCurl([
                "-sS", "--http1.1", "http://127.0.0.1:\(server.port)/query?q=caf%C3%A9+au+lait&k=1&k=2",
            ])
            #expect(query.stdout == #"[["q","café au lait"],["k","1"],["k","2"]]"#)
        }
    }

    @Test(.enabled(if: curlAvailable)) func chunkedUpload() async throws {
        try await withTestServer { server in
            let result = try runCurl([
                "-sS", "--http1.1", "-H", "Transfer-Encoding: chunked", "--data-binary", "sent in chunks",
                "http://127.0.0.1:\(server.port)/echo",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "sent in chunks")
        }
    }
}
