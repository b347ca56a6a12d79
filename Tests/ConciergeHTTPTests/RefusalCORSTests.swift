import ConciergeTestSupport
import Foundation
import Testing

@testable import ConciergeHTTP

/// Refusals made before routing reach a page too: a 413 to an allowed origin carries the CORS headers over
/// HTTP/1.1 and HTTP/2, so the page reads the JSON error instead of a network failure.
@Suite("Access: refusals before routing")
struct RefusalCORSTests {
    static let router = HTTPAccessControlTests.router(
        HTTPAccessControl(cors: CORSPolicy(allowedOrigins: [HTTPAccessControlTests.page], exposedHeaders: [])))

    @Test func http1BodyTooLargeCarriesTheOrigin() async throws {
        try await withTestServer({ $0.limits.maxBodyBytes = 16 }, router: Self.router) { server in
            let client = try RawClient(port: server.port)
            try client.send(
                "POST /recommend HTTP/1.1\r\nHost: x\r\nOrigin: \(HTTPAccessControlTests.page)\r\n"
                    + "Content-Length: 17\r\n\r\n")
            let response = try client.readResponse(timeout: 2)
            #expect(response.status == 413)
            #expect(response.header("Access-Control-Allow-Origin") == HTTPAccessControlTests.page)
            #expect(response.header("Vary") == "Origin")
        }
    }

    @Test func http2BodyTooLargeCarriesTheOrigin() async throws {
        try await withTestServer({ $0.limits.maxBodyBytes = 16 }, router: Self.router) { server in
            let client = try HTTP2TestClient(port: server.port)
            try client.sendHeaders(
                stream: 1,
                HTTP2TestClient.requestFields(
                    "POST", "/recommend",
                    extra: [("origin", HTTPAccessControlTests.page), ("content-length", "17")]),
                endStream: false)
            let response = try client.response(on: 1, followedByReset: true)
            #expect(response.status == 413)
            #expect(
                response.fields.first { $0.name == "access-control-allow-origin" }?.value == HTTPAccessControlTests.page
            )
        }
    }

    @Test func anotherOriginsRefusalCarriesNone() async throws {
        try await withTestServer({ $0.limits.maxBodyBytes = 16 }, router: Self.router) { server in
            let client = try RawClient(port: server.port)
            try client.send(
                "POST /recommend HTTP/1.1\r\nHost: x\r\nOrigin: http://elsewhere.example\r\nContent-Length: 17\r\n\r\n")
            let response = try client.readResponse(timeout: 2)
            #expect(response.status == 413)
            #expect(response.header("Access-Control-Allow-Origin") == nil)
        }
    }
}
