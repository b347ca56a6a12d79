// Status codes and standard headers, end to end over a real socket to an in-process server.

import ConciergeTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import ConciergeHTTP

@Suite("Server: statuses and headers")
struct ServerProtocolTests {
    /// Date, Server, Content-Length and X-Request-Id are on every response.
    static func expectStandardHeaders(_ response: RawResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.version == "HTTP/1.1", sourceLocation: sourceLocation)
        #expect(
            isIMFFixdate(response.header("Date")), "Date: \(response.header("Date") ?? "missing")",
            sourceLocation: sourceLocation)
        #expect(response.header("Server") == "concierge", sourceLocation: sourceLocation)
        #expect(response.header("Content-Length") == String(response.body.count), sourceLocation: sourceLocation)
        #expect(response.headers(named: "Content-Length").count == 1, sourceLocation: sourceLocation)
        #expect(response.headers(named: "X-Request-Id").count == 1, sourceLocation: sourceLocation)
        #expect(response.header("X-Request-Id")?.isEmpty == false, sourceLocation: sourceLocation)
    }

    @Test func okWithStandardHeaders() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(getRequest("/health"))
            #expect(response.status == 200)
            #expect(response.reason == "OK")
            #expect(response.bodyString == #"{"status":"ok"}"#)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("Connection") == nil, "HTTP/1.1 keep-alive needs no Connection header")
            #expect(isLowercaseHex32(response.header("X-Request-Id")))
            Self.expectStandardHeaders(response)
        }
    }

    @Test func headHasNoBodyButKeepsContentLength() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let get = try client.exchange(getRequest("/health"))
            let head = try client.exchange(
                "HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", bodyless: true)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == String(get.body.count))
            #expect(head.header("Content-Type") == "application/json")
            #expect(isIMFFixdate(head.header("Date")))
            #expect(head.header("Server") == "concierge")
            #expect(isLowercaseHex32(head.header("X-Request-Id")))
            // No body bytes follow the head: the next response starts right away on the same socket.
            #expect(client.unread.isEmpty)
            let next = try client.exchange(getRequest("/health"))
            #expect(next.status == 200)
            #expect(next.bodyString == #"{"status":"ok"}"#)
        }
    }

    @Test func headOnAnErrorHasNoBody() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let head = try client.exchange("HEAD /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", bodyless: true)
            #expect(head.status == 404)
            #expect(Int(head.header("Content-Length") ?? "") ?? 0 > 0)
            let next = try client.exchange(getRequest("/health"))
            #expect(next.status == 200)
        }
    }

    @Test func notFoundIsJSON() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(getRequest("/no/such/room"))
            #expect(response.status == 404)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.errorCode == "not_found")
            #expect(response.errorMessage?.contains("/no/such/room") == true)
            Self.expectStandardHeaders(response)
            #expect(!response.closesConnection, "a 404 keeps the connection")
            #expect(try client.exchange(getRequest("/health")).status == 200)
        }
    }

    @Test func methodNotAllowedListsAllow() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(postRequest("/health", body: "x"))
            #expect(response.status == 405)
            #expect(response.header("Allow") == "GET, HEAD")
            #expect(response.errorCode == "method_not_allowed")
            Self.expectStandardHeaders(response)
            let other = try client.exchange(getRequest("/echo"))
            #expect(other.status == 405)
            #expect(other.header("Allow") == "POST")
            let delete = try client.exchange("DELETE /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(delete.status == 405)
        }
    }

    @Test func responderHTTPErrorKeepsStatusCodeAndHeaders() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(getRequest("/conflict"))
            #expect(response.status == 409)
            #expect(response.errorCode == "already_booked")
            #expect(response.errorMessage == #"room 12 is "taken""#)
            #expect(response.header("X-Hint") == "try-13")
            Self.expectStandardHeaders(response)
            #expect(!response.closesConnection)
        }
    }

    @Test func responderThatThrowsGives500JSON() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(getRequest("/fail"))
            #expect(response.status == 500)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.errorCode == "internal_error")
            Self.expectStandardHeaders(response)
            // The connection survives a failing responder.
            #expect(try client.exchange(getRequest("/health")).status == 200)
        }
    }

    struct Malformed: CustomTestStringConvertible, Sendable {
        var name: String
        var request: String
        var code: String
        var testDescription: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "request line without version", request: "GARBAGE\r\n\r\n", code: "bad_request_line"),
        Malformed(
            name: "request line with extra space", request: "GET /  HTTP/1.1\r\nHost: x\r\n\r\n",
            code: "bad_request_line"),
        Malformed(name: "bad version token", request: "GET / HTTQ/1.1\r\nHost: x\r\n\r\n", code: "bad_request_line"),
        Malformed(
            name: "header name with space", request: "GET /health HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
            code: "bad_header"),
        Malformed(
            name: "header line without colon", request: "GET /health HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
            code: "bad_header"),
        Malformed(
            name: "obsolete line folding", request: "GET /health HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n",
            code: "bad_header"),
        Malformed(
            name: "chunk size not hex",
            request: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
            code: "bad_chunk"),
        Malformed(
            name: "chunk data not followed by CRLF",
            request: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY\r\n0\r\n\r\n",
            code: "bad_chunk"),
        Malformed(
            name: "Content-Length and Transfer-Encoding",
            request:
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            code: "bad_transfer_encoding"),
        Malformed(
            name: "differing Content-Length",
            request: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
            code: "bad_content_length"),
        Malformed(
            name: "Content-Length not a number",
            request: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", code: "bad_content_length"),
        Malformed(
            name: "Transfer-Encoding on HTTP/1.0",
            request: "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            code: "bad_transfer_encoding"),
        Malformed(name: "missing Host on HTTP/1.1", request: "GET /health HTTP/1.1\r\n\r\n", code: "missing_host"),
    ]

    @Test(arguments: malformed)
    func malformedRequestGets400ThenClose(_ case_: Malformed) async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send(case_.request)
            let response = try client.readResponse()
            #expect(response.status == 400, "\(response)")
            #expect(response.errorCode == case_.code, "\(response)")
            #expect(response.closesConnection, "a 400 must say Connection: close")
            Self.expectStandardHeaders(response)
            #expect(try client.waitForClose(timeout: 3), "the connection must be closed after a 400")
            #expect(
                client.unread.isEmpty, "nothing may follow the 400: \(String(decoding: client.unread, as: UTF8.self))")
        }
    }

    @Test func badPercentEncodingIs400ButFramingIsIntact() async throws {
        // The request is framed correctly, so only the target is refused; the connection stays usable.
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let invalidUTF8 = try client.exchange(getRequest("/%FF"))
            #expect(invalidUTF8.status == 400)
            #expect(invalidUTF8.errorCode == "bad_request_target")
            let badEscape = try client.exchange(getRequest("/query?q=%zz"))
            #expect(badEscape.status == 400)
            #expect(badEscape.errorCode == "bad_request_target")
            #expect(try client.exchange(getRequest("/health")).status == 200)
        }
    }

    /// What the server cannot or will not do gets its status as a JSON error, and the connection closes.
    @Test(arguments: [
        ("GET /health HTTP/2.0\r\nHost: x\r\n\r\n", 505, "http_version_not_supported"),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 3\r\n\r\nabc", 417, "expectation_failed"),
    ])
    func refusedRequestsGetTheirStatusAndClose(request: String, status: Int, code: String) async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(request)
            #expect(response.status == status)
            #expect(response.errorCode == code)
            #expect(response.closesConnection)
            Self.expectStandardHeaders(response)
            #expect(try client.waitForClose())
        }
    }

    @Test func higherMinorVersionIsAnsweredAsHTTP11() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange("GET /health HTTP/1.7\r\nHost: x\r\n\r\n")
            #expect(response.status == 200)
            #expect(response.version == "HTTP/1.1")
        }
    }

    @Test func unsupportedTransferCodingGets501() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
            #expect(response.status == 501)
            #expect(response.closesConnection)
            #expect(try client.waitForClose())
        }
    }

    @Test func requestIDIsEchoedWhenValid() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(getRequest("/request-id", headers: ["X-Request-Id: booking-42:abc/7"]))
            #expect(response.header("X-Request-Id") == "booking-42:abc/7")
            #expect(response.bodyString == "booking-42:abc/7", "the responder sees the same id")
        }
    }

    @Test func requestIDIsGeneratedWhenAbsent() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let first = try client.exchange(getRequest("/request-id"))
            let second = try client.exchange(getRequest("/request-id"))
            #expect(isLowercaseHex32(first.header("X-Request-Id")))
            #expect(first.bodyString == first.header("X-Request-Id"))
            #expect(isLowercaseHex32(second.header("X-Request-Id")))
            #expect(first.header("X-Request-Id") != second.header("X-Request-Id"))
        }
    }

    @Test(arguments: ["has spaces in it", String(repeating: "a", count: 129), "quote\"d", "semi;colon"])
    func invalidRequestIDIsReplaced(_ id: String) async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(getRequest("/request-id", headers: ["X-Request-Id: \(id)"]))
            #expect(response.status == 200)
            #expect(isLowercaseHex32(response.header("X-Request-Id")), "\(response)")
            #expect(response.bodyString == response.header("X-Request-Id"))
        }
    }

    @Test func errorResponsesCarryARequestIDToo() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            let notFound = try client.exchange(getRequest("/missing", headers: ["X-Request-Id: trace-1"]))
            #expect(notFound.header("X-Request-Id") == "trace-1")
            let bad = try client.exchange("GET /health HTTP/1.1\r\n\r\n")
            #expect(bad.status == 400)
            #expect(isLowercaseHex32(bad.header("X-Request-Id")))
        }
    }

    @Test func responderCannotOverrideServerManagedHeaders() async throws {
        var router = HTTPRouter()
        router.get("/sneaky") { _ in
            HTTPServerResponse(
                status: .ok,
                headerFields: [
                    .contentLength: "999", .server: "other", .connection: "close", .transferEncoding: "chunked",
                    HTTPField.Name("X-Request-Id")!: "forged",
                ],
                body: Array("hi".utf8))
        }
        try await withTestServer(router: router) { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(getRequest("/sneaky"))
            #expect(response.bodyString == "hi")
            Self.expectStandardHeaders(response)
            #expect(response.header("Server") == "concierge")
            #expect(response.header("Transfer-Encoding") == nil)
            #expect(response.header("Connection") == nil)
            #expect(response.header("X-Request-Id") != "forged")
        }
    }
}
