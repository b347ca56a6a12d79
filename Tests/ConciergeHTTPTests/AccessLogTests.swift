// The access log against hostile paths: a decoded CR LF must not start a forged line, terminal escapes and NUL
// must not reach the log as bytes, and the query (it holds guest ids) is never logged, over HTTP/1.1 and HTTP/2.
// In process, with the messages the server hands its logger.

import ConciergeTestSupport
import Foundation
import InMemoryLogging
import Logging
import Testing

@testable import ConciergeHTTP

@Suite("Access log")
struct AccessLogTests {
    @Test func controlCharactersAndTheBackslashAreEscaped() {
        #expect(LogText.escaped("/recommend/guest-42") == "/recommend/guest-42")
        #expect(LogText.escaped("/x\r\nforged") == #"/x\x0d\x0aforged"#)
        #expect(LogText.escaped("/\u{1B}[2J\u{0}\t") == #"/\x1b[2J\x00\x09"#)
        #expect(LogText.escaped("/\u{7F}\u{9B}é€") == #"/\x7f\xc2\x9bé€"#)
        #expect(LogText.escaped(#"/a\x0d"#) == #"/a\x5cx0d"#, "a literal backslash cannot pass for an escape")
    }

    /// What a forger would have the decoded path say after its CR LF: a whole access-log line of its own.
    private static let forgedLine =
        "2026-12-04T00:00:00+0000 info concierge: request_id=forged GET /admin 200 0 0.001ms"

    private static func encoded(_ text: String) -> String {
        text.replacingOccurrences(of: " ", with: "%20")
    }

    /// The access log's lines as a log handler receives them: the message is written as it stands, one per line.
    private static func lines(_ handler: InMemoryLogHandler) -> String {
        handler.entries.map { "\($0.message)" }.joined(separator: "\n")
    }

    @Test func clientTextCannotForgeOrCorruptALine() async throws {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "concierge") { _ in handler }
        try await withTestServer({ $0.accessLog = true }, logger: logger) { server in
            let http1 = try RawClient(port: server.port)
            #expect(try http1.exchange(getRequest("/h1%0d%0a" + Self.encoded(Self.forgedLine))).status == 404)
            #expect(try http1.exchange(getRequest("/h1-terminal%1b[2J%1b]0;owned%07%00")).status == 404)
            #expect(try http1.exchange(getRequest("/h1-undecodable%zz?guest=secret-guest-1")).status == 400)
            #expect(
                try RawClient(port: server.port).exchange(getRequest("/h1-not-utf8%ff?guest=secret-guest-2")).status
                    == 400)

            let http2 = try HTTP2TestClient(port: server.port)
            try http2.sendGet(stream: 1, "/h2%0d%0a" + Self.encoded(Self.forgedLine))
            #expect(try http2.response(on: 1).status == 404)
            try http2.sendGet(stream: 3, "/h2-terminal%1b[2J%00")
            #expect(try http2.response(on: 3).status == 404)
            try http2.sendGet(stream: 5, "/h2-undecodable%zz?guest=secret-guest-3")
            #expect(try http2.response(on: 5).status == 400)

            let written = [
                #"GET /h1\x0d\x0a"# + Self.forgedLine + " 404 ",
                #"GET /h1-terminal\x1b[2J\x1b]0;owned\x07\x00 404 "#,
                "GET /h1-undecodable%zz 400 ",
                "GET /h1-not-utf8%ff 400 ",
                #"GET /h2\x0d\x0a"# + Self.forgedLine + " 404 ",
                #"GET /h2-terminal\x1b[2J\x00 404 "#,
                "GET /h2-undecodable%zz 400 ",
            ]
            #expect(
                poll(until: 5) { written.allSatisfy { Self.lines(handler).contains($0) } },
                "log:\n\(Self.lines(handler))")
            let log = Self.lines(handler)
            for line in written {
                #expect(log.contains(line), "missing \(line.debugDescription); log:\n\(log)")
            }
            let lines = log.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(!lines.contains { $0.hasPrefix("2026-12-04T00:00:00+0000") }, "a forged line; log:\n\(log)")
            #expect(
                !log.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" },
                "raw control characters:\n\(log.debugDescription)")
            #expect(!log.contains("secret-guest"), "the query was logged:\n\(log)")
        }
    }
}
