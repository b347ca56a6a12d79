import Foundation
import HTTPTypes
import Testing

@testable import ConciergeHTTP

@Suite("ResponseSerializer")
struct ResponseSerializerTests {
    private static let date = "Mon, 24 Nov 2025 16:00:00 GMT"

    private func serialize(
        _ response: HTTPServerResponse, requestID: String = "req-1", keepAlive: Bool = true,
        version: HTTPVersion = .http1_1, includeBody: Bool = true, fixedHeaders: HTTPFields = [:],
        into existing: [UInt8] = []
    ) -> String {
        var output = existing
        ResponseSerializer.write(
            response, requestID: requestID, date: bytes(Self.date), serverName: bytes("concierge"),
            fixedHeaders: ResponseSerializer.fixedHeaderBytes(fixedHeaders), keepAlive: keepAlive,
            requestVersion: version, includeBody: includeBody, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private let hello = HTTPServerResponse(
        status: .ok, headerFields: [.contentType: "text/plain; charset=utf-8"], body: bytes("hello"))

    @Test("configured headers come after the server's and before the responder's")
    func fixedHeaders() {
        let fixed: HTTPFields = [HTTPField.Name("X-Concierge-Color")!: "blue", .contentLength: "999"]
        let text = serialize(hello, fixedHeaders: fixed)
        #expect(text.contains("Content-Length: 5\r\nX-Concierge-Color: blue\r\nContent-Type: text/plain"))
        #expect(!text.contains("999"), "a configured header cannot override one the server manages")
    }

    @Test("a keep-alive HTTP/1.1 response, byte for byte")
    func keepAlive11() {
        #expect(
            serialize(hello) == "HTTP/1.1 200 OK\r\n"
                + "Date: Mon, 24 Nov 2025 16:00:00 GMT\r\n"
                + "Server: concierge\r\n"
                + "X-Request-Id: req-1\r\n"
                + "Content-Length: 5\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "\r\n"
                + "hello")
    }

    @Test("a response that closes the connection says Connection: close", arguments: [HTTPVersion.http1_1, .http1_0])
    func close(version: HTTPVersion) {
        #expect(
            serialize(hello, keepAlive: false, version: version) == "HTTP/1.1 200 OK\r\n"
                + "Date: \(Self.date)\r\nServer: concierge\r\nX-Request-Id: req-1\r\nContent-Length: 5\r\n"
                + "Connection: close\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\nhello")
    }

    @Test("a keep-alive answer to an HTTP/1.0 request says Connection: keep-alive")
    func keepAlive10() {
        #expect(
            serialize(hello, version: .http1_0) == "HTTP/1.1 200 OK\r\n"
                + "Date: \(Self.date)\r\nServer: concierge\r\nX-Request-Id: req-1\r\nContent-Length: 5\r\n"
                + "Connection: keep-alive\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\nhello")
    }

    @Test("an empty body has Content-Length: 0 and ends with the blank line")
    func emptyBody() {
        let response = HTTPServerResponse(status: .noContent)
        #expect(
            serialize(response, requestID: "abc") == "HTTP/1.1 204 No Content\r\n"
                + "Date: \(Self.date)\r\nServer: concierge\r\nX-Request-Id: abc\r\nContent-Length: 0\r\n\r\n")
    }

    @Test("HEAD leaves the body out but keeps its Content-Length")
    func headResponse() {
        let text = serialize(hello, includeBody: false)
        #expect(text.hasSuffix("Content-Length: 5\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"))
        #expect(!text.contains("hello"))
    }

    @Test("responder headers keep their order, spelling and repeats")
    func responderHeaders() {
        var fields = HTTPFields()
        fields.append(HTTPField(name: HTTPField.Name("X-Second")!, value: "2"))
        fields.append(HTTPField(name: .cacheControl, value: "no-store"))
        fields.append(HTTPField(name: .setCookie, value: "a=1"))
        fields.append(HTTPField(name: .setCookie, value: "b=2"))
        let text = serialize(HTTPServerResponse(status: .created, headerFields: fields, body: bytes("{}")))
        #expect(text.hasPrefix("HTTP/1.1 201 Created\r\n"))
        #expect(
            text.hasSuffix(
                "Content-Length: 2\r\nX-Second: 2\r\nCache-Control: no-store\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n{}"
            ))
    }

    @Test("headers the server manages are written once, with the server's values")
    func managedHeadersNotDuplicated() {
        var fields = HTTPFields()
        fields.append(HTTPField(name: .contentLength, value: "999"))
        fields.append(HTTPField(name: .connection, value: "upgrade"))
        fields.append(HTTPField(name: .date, value: "yesterday"))
        fields.append(HTTPField(name: .server, value: "impostor"))
        fields.append(HTTPField(name: HTTPField.Name("x-request-id")!, value: "other"))
        fields.append(HTTPField(name: .transferEncoding, value: "chunked"))
        fields.append(HTTPField(name: .contentType, value: "application/json"))
        let text = serialize(HTTPServerResponse(status: .ok, headerFields: fields, body: bytes("[]")), keepAlive: false)
        #expect(
            text == "HTTP/1.1 200 OK\r\n"
                + "Date: \(Self.date)\r\nServer: concierge\r\nX-Request-Id: req-1\r\nContent-Length: 2\r\n"
                + "Connection: close\r\nContent-Type: application/json\r\n\r\n[]")
        for name in ["content-length", "connection", "date", "server", "x-request-id"] {
            let count = text.lowercased().components(separatedBy: "\r\n\(name):").count - 1
            #expect(count == 1, "\(name) appears \(count) times")
        }
        #expect(!text.lowercased().contains("transfer-encoding"))
    }

    @Test("a header value cannot smuggle in a line break")
    func noHeaderInjection() {
        let field = HTTPField(name: HTTPField.Name("X-Echo")!, value: "a\r\nSet-Cookie: evil=1")
        let text = serialize(HTTPServerResponse(status: .ok, headerFields: HTTPFields([field])))
        #expect(!text.contains("\r\nSet-Cookie"))
        #expect(text.components(separatedBy: "\r\n").count == 8)
    }

    @Test("appends after what the output already holds (pipelined responses)")
    func appends() {
        let first = serialize(hello, requestID: "1")
        let both = serialize(hello, requestID: "2", into: bytes(first))
        #expect(both.hasPrefix(first))
        #expect(both.dropFirst(first.count).hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(both.contains("X-Request-Id: 2\r\n"))
    }

    @Test(
        "status lines",
        arguments: [
            (HTTPResponse.Status.notFound, "404 Not Found"),
            (.methodNotAllowed, "405 Method Not Allowed"),
            (.contentTooLarge, "413 Content Too Large"),
            (.internalServerError, "500 Internal Server Error"),
            (HTTPResponse.Status(code: 299), "299 "),
        ])
    func statusLine(status: HTTPResponse.Status, line: String) {
        #expect(serialize(HTTPServerResponse(status: status)).hasPrefix("HTTP/1.1 \(line)\r\nDate: "))
    }

    @Test(
        "Content-Length is the body's size in decimal",
        arguments: [0, 1, 9, 10, 99, 100, 1234, 65536, 1_048_576])
    func contentLength(size: Int) {
        let text = serialize(HTTPServerResponse(body: Array(repeating: 0x78, count: size)))
        #expect(text.contains("\r\nContent-Length: \(size)\r\n"))
        #expect(text.hasSuffix("\r\n\r\n" + String(repeating: "x", count: size)))
    }

    @Test("decimal digits", arguments: [0, 7, 10, 42, 909, 1_000_000, Int(Int32.max)])
    func appendDecimal(value: Int) {
        var output = bytes(">")
        ResponseSerializer.appendDecimal(value, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == ">\(value)")
    }

    @Test("the 100 Continue interim response")
    func continueResponse() {
        #expect(ResponseSerializer.continueResponse == bytes("HTTP/1.1 100 Continue\r\n\r\n"))
    }

    @Test(
        "the Date header is an IMF-fixdate",
        arguments: [
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (1_764_000_000, "Mon, 24 Nov 2025 16:00:00 GMT"),
            (951_827_696, "Tue, 29 Feb 2000 12:34:56 GMT"),
        ])
    func dateFormat(seconds: Int, expected: String) {
        #expect(String(decoding: HTTPDateCache.format(seconds), as: UTF8.self) == expected)
    }
}

@Suite("HTTPError.response")
struct HTTPErrorResponseTests {
    /// Parses the JSON body back and returns `error.code` and `error.message`.
    private func decode(_ response: HTTPServerResponse) throws -> (code: String, message: String, keys: [String]) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(Array(object.keys) == ["error"])
        let error = try #require(object["error"] as? [String: Any])
        return (try #require(error["code"] as? String), try #require(error["message"] as? String), error.keys.sorted())
    }

    @Test("the body is exactly {\"error\":{\"code\":…,\"message\":…}} with JSON content type and the status")
    func shape() throws {
        let response = HTTPError(.notFound, code: "not_found", message: "no route for /x").response
        #expect(
            String(decoding: response.body, as: UTF8.self)
                == #"{"error":{"code":"not_found","message":"no route for /x"}}"#)
        #expect(response.status == .notFound)
        #expect(response.headerFields[.contentType] == "application/json")
        let decoded = try decode(response)
        #expect(decoded.code == "not_found")
        #expect(decoded.message == "no route for /x")
        #expect(decoded.keys == ["code", "message"])
    }

    @Test(
        "quotes, backslashes, line breaks and control characters are escaped",
        arguments: [
            "say \"hi\"",
            #"back\slash"#,
            "two\nlines\r\nand\ttab",
            "bell\u{07} nul\u{00} esc\u{1B} unit\u{1F}",
            "unicode é ☕ 😀 and DEL\u{7F}",
            "</script>",
            "",
        ])
    func escaping(message: String) throws {
        let response = HTTPError(.badRequest, code: "weird \"code\"\n", message: message).response
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 }, "raw control character in \(text.debugDescription)")
        let decoded = try decode(response)
        #expect(decoded.message == message)
        #expect(decoded.code == "weird \"code\"\n")
    }

    @Test("the error's own header fields are added, and the helpers set status and code")
    func headersAndHelpers() throws {
        let error = HTTPError(
            .methodNotAllowed, code: "method_not_allowed", message: "use GET", headerFields: [.allow: "GET, HEAD"])
        let response = error.response
        #expect(response.status == .methodNotAllowed)
        #expect(response.headerFields[.allow] == "GET, HEAD")
        #expect(response.headerFields[.contentType] == "application/json")

        let bad = HTTPError.badRequest("nope")
        #expect(bad.status == .badRequest && bad.code == "bad_request" && bad.message == "nope")
        let missing = HTTPError.notFound("gone", code: "no_user")
        #expect(missing.status == .notFound && missing.code == "no_user")
        #expect(try decode(missing.response).code == "no_user")
    }
}
