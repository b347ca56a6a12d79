// Header, body-stall and idle timeouts, with short settings so the suite stays fast.
// Timeouts are enforced by a 250 ms sweep (plus 50 ms leeway), so bounds allow that much slack.

import ConciergeTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import ConciergeHTTP

@Suite("Server: timeouts")
struct ServerTimeoutTests {
    static func shortTimeouts(_ configuration: inout HTTPServerConfiguration) {
        configuration.timeouts = .init(
            header: .seconds(1), bodyStall: .seconds(1), idle: .milliseconds(1500), linger: .seconds(2))
    }

    /// Sweep interval, leeway and scheduling noise on a busy two-core machine.
    static let slack = 1.0

    @Test func slowlorisHeadersGet408ThenClose() async throws {
        try await withTestServer(Self.shortTimeouts) { server in
            let client = try RawClient(port: server.port)
            let prefix = Array("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8)
            let started = Date()
            var response: RawResponse?
            var sent = 0
            // One byte every 200 ms; the headers never finish.
            while response == nil, elapsed(since: started) < 5 {
                try client.send([sent < prefix.count ? prefix[sent] : UInt8(ascii: "a")])
                sent += 1
                response = try client.tryReadResponse(timeout: 0.2)
                if client.peerClosed { break }
            }
            let took = elapsed(since: started)
            let answer = try #require(response, "no 408 within 5 s; closed: \(client.peerClosed)")
            #expect(answer.status == 408)
            #expect(answer.errorCode == "request_timeout")
            #expect(answer.closesConnection)
            #expect(answer.header("Server") == "concierge")
            #expect(took >= 0.95, "the header timeout is 1 s from the first byte; answered after \(took) s")
            #expect(took < 1 + Self.slack, "answered after \(took) s")
            #expect(try client.waitForClose(timeout: 3))
        }
    }

    @Test func headerTimeoutCountsFromTheFirstByteNotTheLast() async throws {
        // A request whose head arrives slowly but completes within the header timeout is served.
        try await withTestServer(Self.shortTimeouts) { server in
            let client = try RawClient(port: server.port)
            let request = Array(getRequest("/health").utf8)
            let step = request.count / 4
            for index in stride(from: 0, to: request.count, by: step) {
                try client.send(Array(request[index..<min(index + step, request.count)]))
                usleep(100_000)
            }
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func bodyStallGets408ThenClose() async throws {
        try await withTestServer(Self.shortTimeouts) { server in
            let client = try RawClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            let started = Date()
            let response = try client.readResponse(timeout: 5)
            let took = elapsed(since: started)
            #expect(response.status == 408)
            #expect(response.errorCode == "request_timeout")
            #expect(response.closesConnection)
            #expect(took >= 0.95, "answered after \(took) s")
            #expect(took < 1 + Self.slack, "answered after \(took) s")
            #expect(try client.waitForClose(timeout: 3))
        }
    }

    @Test func slowButSteadyBodyIsNotTimedOut() async throws {
        // Each piece comes well within the stall timeout, the whole body takes longer than it.
        try await withTestServer(Self.shortTimeouts) { server in
            let client = try RawClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n")
            for byte in "steady".utf8 {
                try client.send([byte])
                usleep(300_000)
            }
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.bodyString == "steady")
        }
    }

    @Test func chunkedBodyStallGets408() async throws {
        try await withTestServer(Self.shortTimeouts) { server in
            let client = try RawClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
            let response = try client.readResponse(timeout: 5)
            #expect(response.status == 408)
            #expect(try client.waitForClose(timeout: 3))
        }
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        try await withTestServer(Self.shortTimeouts) { server in
            let client = try RawClient(port: server.port)
            #expect(try client.exchange(getRequest("/health")).status == 200)
            let started = Date()
            // Still open well before the idle timeout.
            #expect(try client.staysQuiet(for: 0.7))
            #expect(try client.waitForClose(timeout: 4))
            let took = elapsed(since: started)
            #expect(took >= 1.4, "idle timeout is 1.5 s; closed after \(took) s")
            #expect(took < 1.5 + Self.slack, "closed after \(took) s")
            #expect(client.unread.isEmpty, "an idle close sends no response")
            #expect(poll(until: 2) { server.statistics.snapshot().openConnections == 0 })
        }
    }

    /// A header deadline well apart from the idle timeout, so a test can tell which one closed a connection.
    static func idleFarBeyondHeader(_ configuration: inout HTTPServerConfiguration) {
        configuration.timeouts = .init(
            header: .seconds(1), bodyStall: .seconds(1), idle: .seconds(30), linger: .seconds(2))
    }

    /// Closed at the header deadline, not the idle timeout, and silently: no request began, so there is
    /// nothing to answer with a 408 (nginx closes such a connection the same way).
    @Test func connectionThatNeverSendsIsClosedAtTheHeaderDeadline() async throws {
        try await withTestServer(Self.idleFarBeyondHeader) { server in
            let started = Date()
            let client = try RawClient(port: server.port)
            #expect(try client.waitForClose(timeout: 4))
            let took = elapsed(since: started)
            #expect(took >= 0.95, "the header timeout is 1 s from the accept; closed after \(took) s")
            #expect(took < 1 + Self.slack, "closed after \(took) s")
            #expect(client.unread.isEmpty, "a silent connection gets no response")
            #expect(poll(until: 2) { server.statistics.snapshot().openConnections == 0 })
        }
    }

    @Test func http2ConnectionWithoutARequestGetsGoAwayAtTheHeaderDeadline() async throws {
        try await withTestServer(Self.idleFarBeyondHeader) { server in
            let started = Date()
            let client = try HTTP2TestClient(port: server.port)
            let goAway = try client.waitForGoAway(timeout: 4)
            #expect(goAway?.errorCode == .noError, "\(client.received)")
            #expect(goAway?.lastStreamID == 0)
            #expect(try client.socket.waitForClose(timeout: 2))
            let took = elapsed(since: started)
            #expect(took >= 0.95, "closed after \(took) s")
            #expect(took < 1 + Self.slack, "closed after \(took) s")
        }
    }

    /// The idle timeout starts to count only once a request was answered.
    @Test func keptAliveConnectionGetsTheIdleTimeoutNotTheHeaderDeadline() async throws {
        try await withTestServer(Self.idleFarBeyondHeader) { server in
            let client = try RawClient(port: server.port)
            #expect(try client.exchange(getRequest("/health")).status == 200)
            #expect(try client.staysQuiet(for: 2))
            #expect(try client.exchange(getRequest("/health")).status == 200)
            let http2 = try HTTP2TestClient(port: server.port)
            try http2.sendGet(stream: 1, "/health")
            #expect(try http2.response(on: 1).status == 200)
            #expect(try http2.waitForGoAway(timeout: 2) == nil, "\(http2.received)")
            #expect(!http2.isClosed)
        }
    }

    @Test func activeConnectionIsNotClosedAsIdle() async throws {
        try await withTestServer(Self.shortTimeouts) { server in
            let client = try RawClient(port: server.port)
            let started = Date()
            var count = 0
            while elapsed(since: started) < 2.5 {
                #expect(try client.exchange(getRequest("/health")).status == 200)
                count += 1
                usleep(400_000)
            }
            #expect(count >= 5)
            #expect(server.statistics.snapshot().acceptedConnections == 1)
        }
    }
}
