// Size limits and the connection cap, end to end: 414, 431, 413 and 503.

import ConciergeTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import ConciergeHTTP

@Suite("Server: limits")
struct ServerLimitsTests {
    /// Sends `request` and expects `status` with `code`, `Connection: close`, then the close.
    static func expectRefusedAndClosed(
        port: Int, _ request: [UInt8], status: Int, code: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let client = try RawClient(port: port)
        try client.send(request)
        let response = try client.readResponse()
        #expect(response.status == status, "\(response)", sourceLocation: sourceLocation)
        #expect(response.errorCode == code, "\(response)", sourceLocation: sourceLocation)
        #expect(response.closesConnection, sourceLocation: sourceLocation)
        #expect(response.header("Server") == "concierge", sourceLocation: sourceLocation)
        #expect(isLowercaseHex32(response.header("X-Request-Id")), sourceLocation: sourceLocation)
        #expect(try client.waitForClose(), "closed after \(status)", sourceLocation: sourceLocation)
    }

    @Test func requestLineTooLongGets414() async throws {
        try await withTestServer { server in
            let target = "/" + String(repeating: "a", count: 9000)
            try Self.expectRefusedAndClosed(
                port: server.port, Array(getRequest(target).utf8), status: 414, code: "request_line_too_long")
            // Exactly at the limit is fine (a 404: no such route).
            let atLimit = "/" + String(repeating: "b", count: 8 * 1024 - "GET / HTTP/1.1".utf8.count)
            let client = try RawClient(port: server.port)
            #expect(try client.exchange(getRequest(atLimit)).status == 404)
        }
    }

    @Test func requestLineTooLongWithoutLineEndGets414() async throws {
        // The line is refused as soon as it is too long, without waiting for its end.
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /" + String(repeating: "a", count: 9000))
            let response = try client.readResponse(timeout: 2)
            #expect(response.status == 414)
            #expect(try client.waitForClose())
        }
    }

    @Test func headerLineTooLongGets431() async throws {
        try await withTestServer { server in
            let request = getRequest("/health", headers: ["X-Big: " + String(repeating: "v", count: 9000)])
            try Self.expectRefusedAndClosed(
                port: server.port, Array(request.utf8), status: 431, code: "header_too_large")
        }
    }

    @Test func tooManyHeadersGets431() async throws {
        try await withTestServer { server in
            let request = getRequest("/health", headers: (0..<101).map { "X-H\($0): \($0)" })
            try Self.expectRefusedAndClosed(
                port: server.port, Array(request.utf8), status: 431, code: "too_many_headers")
            // 99 extra headers plus Host is exactly the limit.
            let client = try RawClient(port: server.port)
            #expect(
                try client.exchange(getRequest("/health", headers: (0..<99).map { "X-H\($0): \($0)" })).status == 200)
        }
    }

    @Test func headerSectionTooLargeGets431() async throws {
        try await withTestServer { server in
            let request = getRequest(
                "/health", headers: (0..<5).map { "X-Part\($0): " + String(repeating: "p", count: 7000) })
            try Self.expectRefusedAndClosed(
                port: server.port, Array(request.utf8), status: 431, code: "headers_too_large")
        }
    }

    @Test func contentLengthOverLimitGets413WithoutTheBody() async throws {
        try await withTestServer({ $0.limits.maxBodyBytes = 1024 }) { server in
            let client = try RawClient(port: server.port)
            let started = Date()
            // Only the head: the answer must not wait for the body.
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n")
            let response = try client.readResponse(timeout: 2)
            #expect(elapsed(since: started) < 1)
            #expect(response.status == 413)
            #expect(response.errorCode == "body_too_large")
            #expect(response.closesConnection)
            #expect(try client.waitForClose())

            // A huge Content-Length is refused the same way, not overflowed.
            try Self.expectRefusedAndClosed(
                port: server.port,
                Array("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n".utf8),
                status: 413, code: "body_too_large")

            // At the limit is fine.
            let ok = try RawClient(port: server.port)
            let body = String(repeating: "z", count: 1024)
            #expect(try ok.exchange(postRequest("/echo", body: body)).bodyString == body)
        }
    }

    @Test func contentLengthOverLimitWithExpectContinueGets413Not100() async throws {
        try await withTestServer({ $0.limits.maxBodyBytes = 1024 }) { server in
            let client = try RawClient(port: server.port)
            try client.send(
                "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n")
            let response = try client.readResponse(timeout: 2)
            #expect(response.status == 413, "the first answer must be the 413, never 100 Continue")
            #expect(response.closesConnection)
            #expect(try client.waitForClose())
        }
    }

    @Test func contentLengthOverLimitWithTheBodyStillArriving() async throws {
        // A client that sends the body anyway gets the 413 intact, not a reset, while the server lingers.
        try await withTestServer({ $0.limits.maxBodyBytes = 1024 }) { server in
            let client = try RawClient(port: server.port)
            let body = [UInt8](repeating: 0x61, count: 200 * 1024)
            try client.send(
                Array("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            let response = try client.readResponse(timeout: 3)
            #expect(response.status == 413)
            #expect(try client.waitForClose())
        }
    }

    @Test func chunkedBodyOverLimitGets413() async throws {
        try await withTestServer({ $0.limits.maxBodyBytes = 1024 }) { server in
            // One chunk that is too big by itself.
            try Self.expectRefusedAndClosed(
                port: server.port,
                Array("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n401\r\n".utf8),
                status: 413, code: "body_too_large")
            // Chunks that are fine alone but too big together.
            let chunk = String(repeating: "c", count: 600)
            try Self.expectRefusedAndClosed(
                port: server.port,
                Array(
                    ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n").utf8),
                status: 413, code: "body_too_large")
            // A chunk size with more hex digits than any limit.
            try Self.expectRefusedAndClosed(
                port: server.port,
                Array(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n".utf8),
                status: 413, code: "body_too_large")
            // Exactly at the limit, in two chunks, is fine.
            let client = try RawClient(port: server.port)
            let half = String(repeating: "h", count: 512)
            let response = try client.exchange(
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n\(half)\r\n200\r\n\(half)\r\n0\r\n\r\n"
            )
            #expect(response.status == 200)
            #expect(response.body.count == 1024)
        }
    }

    @Test func connectionCapAnswers503ThenCloses() async throws {
        try await withTestServer({ $0.maxConnections = 2 }) { server in
            let first = try RawClient(port: server.port)
            let second = try RawClient(port: server.port)
            // Make sure both are accepted and counted before the third arrives.
            #expect(try first.exchange(getRequest("/health")).status == 200)
            #expect(try second.exchange(getRequest("/health")).status == 200)

            let third = try RawClient(port: server.port)
            let response = try third.readResponse(timeout: 2)
            #expect(response.status == 503)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.errorCode == "too_many_connections")
            #expect(response.errorMessage?.contains("2 open connections") == true)
            #expect(response.closesConnection)
            #expect(response.header("Server") == "concierge")
            #expect(isIMFFixdate(response.header("Date")))
            #expect(isLowercaseHex32(response.header("X-Request-Id")))
            #expect(try third.waitForClose())
            third.close()

            // The accepted ones are unaffected.
            #expect(try first.exchange(getRequest("/health")).status == 200)

            var snapshot = server.statistics.snapshot()
            #expect(snapshot.acceptedConnections == 2)
            #expect(snapshot.rejectedConnections == 1)

            // Once one closes, a new connection is served again.
            first.close()
            #expect(poll(until: 3) { server.statistics.snapshot().openConnections <= 1 })
            let fourth = try RawClient(port: server.port)
            #expect(try fourth.exchange(getRequest("/health")).status == 200)
            snapshot = server.statistics.snapshot()
            #expect(snapshot.acceptedConnections == 3)
            #expect(snapshot.rejectedConnections == 1)
        }
    }
}
