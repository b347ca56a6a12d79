// Connection management end to end: keep-alive, HTTP/1.0, Connection: close, pipelining,
// Expect: 100-continue, chunked bodies, requests per connection, query decoding, large bodies.

import ConciergeTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import ConciergeHTTP

@Suite("Server: connections")
struct ServerConnectionTests {
    @Test func keepAliveServesManyRequestsOnOneSocket() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            for index in 0..<50 {
                let response =
                    index.isMultiple(of: 2)
                    ? try client.exchange(getRequest("/health"))
                    : try client.exchange(postRequest("/echo", body: "request \(index)"))
                #expect(response.status == 200)
                #expect(!response.closesConnection)
                if !index.isMultiple(of: 2) { #expect(response.bodyString == "request \(index)") }
            }
            #expect(server.statistics.snapshot().acceptedConnections == 1)
        }
    }

    @Test func http10ClosesByDefault() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange("GET /health HTTP/1.0\r\n\r\n")
            #expect(response.status == 200)
            #expect(response.version == "HTTP/1.1")
            #expect(response.closesConnection)
            #expect(try client.waitForClose())
        }
    }

    @Test func http10KeepsAliveWhenAsked() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let first = try client.exchange("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(first.status == 200)
            #expect(first.header("Connection")?.lowercased() == "keep-alive")
            let second = try client.exchange(
                "POST /echo HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Length: 4\r\n\r\nping")
            #expect(second.bodyString == "ping")
            #expect(second.header("Connection")?.lowercased() == "keep-alive")
            // Without the header again, HTTP/1.0 goes back to closing.
            let third = try client.exchange("GET /health HTTP/1.0\r\n\r\n")
            #expect(third.closesConnection)
            #expect(try client.waitForClose())
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            #expect(try client.exchange(getRequest("/health")).status == 200)
            let response = try client.exchange(getRequest("/health", headers: ["Connection: keep-alive, close"]))
            #expect(response.status == 200)
            #expect(response.closesConnection)
            #expect(try client.waitForClose())
            #expect(client.unread.isEmpty)
        }
    }

    @Test func requestsAfterConnectionCloseAreNotAnswered() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send(
                getRequest("/health", headers: ["Connection: close", "X-Request-Id: first"])
                    + getRequest("/health", headers: ["X-Request-Id: second"]))
            let response = try client.readResponse()
            #expect(response.header("X-Request-Id") == "first")
            #expect(response.closesConnection)
            #expect(try client.waitForClose())
            #expect(client.unread.isEmpty, "the pipelined request after Connection: close must be dropped")
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            var batch = ""
            var expectedBodies: [String?] = []
            for index in 0..<10 {
                let id = "X-Request-Id: pipe-\(index)"
                switch index % 3 {
                case 0:
                    batch += getRequest("/query?i=\(index)", headers: [id])
                    expectedBodies.append(#"[["i","\#(index)"]]"#)
                case 1:
                    batch += postRequest("/echo", body: "body-\(index)", headers: [id])
                    expectedBodies.append("body-\(index)")
                default:
                    let payload = "chunked-\(index)"
                    let split = payload.index(payload.startIndex, offsetBy: 3)
                    let first = String(payload[..<split])
                    let rest = String(payload[split...])
                    batch +=
                        "POST /echo HTTP/1.1\r\nHost: x\r\n\(id)\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "\(String(first.utf8.count, radix: 16))\r\n\(first)\r\n"
                        + "\(String(rest.utf8.count, radix: 16));ext=1\r\n\(rest)\r\n0\r\n\r\n"
                    expectedBodies.append(payload)
                }
            }
            // And the start of an eleventh request, finished later.
            let eleventh = postRequest("/echo", body: "the eleventh", headers: ["X-Request-Id: pipe-10"])
            let cut = eleventh.index(eleventh.startIndex, offsetBy: 30)
            try client.send(batch + eleventh[..<cut])

            let responses = try client.readResponses(10)
            for (index, response) in responses.enumerated() {
                #expect(response.status == 200, "\(response)")
                #expect(response.header("X-Request-Id") == "pipe-\(index)")
                #expect(response.bodyString == expectedBodies[index])
            }
            #expect(try client.staysQuiet(for: 0.2), "the partial request must not be answered yet")
            try client.send(String(eleventh[cut...]))
            let last = try client.readResponse()
            #expect(last.header("X-Request-Id") == "pipe-10")
            #expect(last.bodyString == "the eleventh")
        }
    }

    @Test func pipelinedRequestsArrivingByteByByte() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let batch =
                getRequest("/health", headers: ["X-Request-Id: a"])
                + postRequest("/echo", body: "xyz", headers: ["X-Request-Id: b"])
            for byte in batch.utf8 { try client.send([byte]) }
            let responses = try client.readResponses(2)
            #expect(responses.map { $0.header("X-Request-Id") } == ["a", "b"])
            #expect(responses[1].bodyString == "xyz")
        }
    }

    @Test func expectContinueGets100BeforeTheBody() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send(
                "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n")
            let interim = try client.readResponse(timeout: 2)
            #expect(interim.status == 100)
            #expect(interim.version == "HTTP/1.1")
            #expect(interim.reason == "Continue")
            #expect(interim.headers.isEmpty)
            try client.send("hello world")
            let final = try client.readResponse()
            #expect(final.status == 200)
            #expect(final.bodyString == "hello world")
            // The connection is still good.
            #expect(try client.exchange(getRequest("/health")).status == 200)
        }
    }

    @Test func expectContinueWithChunkedBody() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send(
                "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n")
            #expect(try client.readResponse(timeout: 2).status == 100)
            try client.send("4\r\nabcd\r\n0\r\n\r\n")
            let final = try client.readResponse()
            #expect(final.status == 200)
            #expect(final.bodyString == "abcd")
        }
    }

    @Test func expectContinueIsSkippedWhenTheBodyIsAlreadyThere() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(
                "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc")
            #expect(response.status == 200, "no 100 Continue once the body has arrived")
            #expect(response.bodyString == "abc")
        }
    }

    @Test func expectContinueWithoutBodyGetsNo100() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(getRequest("/health", headers: ["Expect: 100-continue"]))
            #expect(response.status == 200)
        }
    }

    @Test func chunkedBodyIsEchoedExactly() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            // Every byte value, in chunks of different sizes, with extensions and a trailer.
            var payload = [UInt8](0...255) + [UInt8](0...255).reversed() + Array("\r\n0\r\n\r\n".utf8)
            payload += [UInt8](repeating: 0x41, count: 5000)
            var message = Array(
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Request-Id: chunky\r\n\r\n".utf8)
            var offset = 0
            var size = 1
            while offset < payload.count {
                let take = min(size, payload.count - offset)
                message += Array(String(take, radix: 16, uppercase: size % 2 == 0).utf8)
                message += Array((size % 3 == 0 ? ";name=value" : "").utf8) + Array("\r\n".utf8)
                message += payload[offset..<(offset + take)] + Array("\r\n".utf8)
                offset += take
                size = size * 3 + 1
            }
            message += Array("0\r\nX-Trailer: yes\r\n\r\n".utf8)
            try client.send(message)
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.header("X-Request-Id") == "chunky")
            #expect(response.body == payload)
            #expect(response.header("Content-Length") == String(payload.count))
            #expect(try client.exchange(getRequest("/health")).status == 200)
        }
    }

    @Test func chunkedBodyWithBareLineFeeds() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n2\nde\n0\n\n")
            #expect(response.status == 200)
            #expect(response.bodyString == "abcde")
        }
    }

    @Test func maxRequestsPerConnection() async throws {
        try await withTestServer({ $0.limits.maxRequestsPerConnection = 3 }) { server in
            let client = try RawClient(port: server.port)
            let first = try client.exchange(getRequest("/health"))
            let second = try client.exchange(getRequest("/health"))
            #expect(!first.closesConnection)
            #expect(!second.closesConnection)
            let third = try client.exchange(getRequest("/health"))
            #expect(third.status == 200)
            #expect(third.closesConnection)
            #expect(try client.waitForClose())

            // Pipelined past the limit: exactly three answers, then the close.
            let pipelined = try RawClient(port: server.port)
            try pipelined.send(
                (0..<5).map { getRequest("/health", headers: ["X-Request-Id: p\($0)"]) }.joined())
            let answers = try pipelined.readResponses(3)
            #expect(answers.map { $0.header("X-Request-Id") } == ["p0", "p1", "p2"])
            #expect(answers.map(\.closesConnection) == [false, false, true])
            #expect(try pipelined.waitForClose())
            #expect(pipelined.unread.isEmpty)
        }
    }

    @Test func queryIsPercentDecodedEndToEnd() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(getRequest("/query?q=caf%C3%A9+au+lait&k=1&k=2&empty=&flag&a%2Bb=c%26d"))
            #expect(response.status == 200)
            let pairs = try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String]]
            #expect(
                pairs == [
                    ["q", "café au lait"], ["k", "1"], ["k", "2"], ["empty", ""], ["flag", ""], ["a+b", "c&d"],
                ])
        }
    }

    @Test func pathIsPercentDecodedForRouting() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            #expect(try client.exchange(getRequest("/%68ealth")).status == 200)
            #expect(try client.exchange(getRequest("http://example.com/health?x=1")).status == 200)
        }
    }

    @Test func largeBodyRoundTripsThroughBackpressure() async throws {
        try await withTestServer({ $0.limits.maxBodyBytes = 4 << 20 }) { server in
            let client = try RawClient(port: server.port)
            let payload = (0..<(900 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(payload.count)\r\n\r\n"
            // Three of them pipelined before reading anything: the server must stop reading while its
            // output is backed up, then carry on once the client reads.
            let message = Array(repeating: Array(head.utf8) + payload, count: 3).flatMap { $0 }
            let sender = Thread { try? client.send(message) }
            sender.start()
            usleep(300_000)
            let responses = try client.readResponses(3, timeout: 20)
            for response in responses {
                #expect(response.status == 200)
                #expect(response.body.count == payload.count)
                #expect(response.body == payload)
            }
        }
    }

    /// Small pipelined requests whose responses are larger than the output high-water mark (256 KiB):
    /// every one must be answered, whether or not the socket ever pushed back.
    /// Parsing stops at the high-water mark with the next requests already read; no read event will
    /// come for them, so the server must go on once the output drains.
    @Test(arguments: [1, 300, 1024])
    func pipelinedRequestsWithLargeResponses(kilobytes: Int) async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send(
                (0..<4).map { getRequest("/big?kb=\(kilobytes)", headers: ["X-Request-Id: big-\($0)"]) }.joined())
            var ids: [String?] = []
            for _ in 0..<4 {
                guard let response = try client.tryReadResponse(timeout: 2) else { break }
                #expect(response.body.count == kilobytes * 1024)
                ids.append(response.header("X-Request-Id"))
            }
            #expect(ids == ["big-0", "big-1", "big-2", "big-3"], "answered \(ids.count) of 4")
        }
    }
}
