import HTTPTypes
import Testing

@testable import ConciergeHTTP

// MARK: - The same events however the bytes are split

/// A request stream and the events it must make.
struct ParserCorpusEntry: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    /// `summary(_:)` of every event, in order.
    var expected: [String]

    var testDescription: String { name }
}

private func headLine(
    _ method: String, _ target: String, _ version: String = "HTTP/1.1", framing: String = "none",
    keepAlive: Bool = true, expectsContinue: Bool = false
) -> String {
    "head \(method) \(target) \(version) framing=\(framing) keepAlive=\(keepAlive) continue=\(expectsContinue)"
}

private func endLine(_ body: String) -> String {
    "end \(body.debugDescription)"
}

private let alphabet = "abcdefghijklmnopqrstuvwxyz"
private let jsonBody = #"{"user":42,"item":"b-17","rating":5}"#

let parserCorpus: [ParserCorpusEntry] = [
    ParserCorpusEntry(
        name: "simple GET",
        text: "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
        expected: [headLine("GET", "/"), endLine("")]),
    ParserCorpusEntry(
        name: "GET with query",
        text: "GET /recommend?user=42&limit=5&tag=a%20b+c HTTP/1.1\r\nHost: example.com\r\n"
            + "Accept: application/json\r\nUser-Agent: curl/8.5.0\r\n\r\n",
        expected: [headLine("GET", "/recommend?user=42&limit=5&tag=a%20b+c"), endLine("")]),
    ParserCorpusEntry(
        name: "POST with Content-Length body",
        text: "POST /events HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(jsonBody.utf8.count)\r\n\r\n\(jsonBody)",
        expected: [headLine("POST", "/events", framing: "length(\(jsonBody.utf8.count))"), endLine(jsonBody)]),
    ParserCorpusEntry(
        name: "chunked body with extensions and trailers",
        text: "POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n"
            + "1A ; ext\r\n\(alphabet)\r\n"
            + "3;a=1;b=\"q r\"\r\n!\r\n\r\n"
            + "0;last\r\nX-Checksum: abc\r\nX-Other:  1 \r\n\r\n",
        expected: [headLine("POST", "/upload", framing: "chunked"), endLine("hello\(alphabet)!\r\n")]),
    ParserCorpusEntry(
        name: "three pipelined requests: GET, POST, chunked POST",
        text: "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\nbody-b\n"
            + "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + "4\r\nbody\r\n2\r\n-c\r\n0\r\n\r\n",
        expected: [
            headLine("GET", "/a"), endLine(""),
            headLine("POST", "/b", framing: "length(7)"), endLine("body-b\n"),
            headLine("POST", "/c", framing: "chunked", keepAlive: false), endLine("body-c"),
        ]),
    ParserCorpusEntry(
        name: "HTTP/1.0 without keep-alive",
        text: "GET /old HTTP/1.0\r\nUser-Agent: ancient\r\n\r\n",
        expected: [headLine("GET", "/old", "HTTP/1.0", keepAlive: false), endLine("")]),
    ParserCorpusEntry(
        name: "HTTP/1.0 with Connection: keep-alive",
        text: "POST /old HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok"
            + "GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        expected: [
            headLine("POST", "/old", "HTTP/1.0", framing: "length(2)"), endLine("ok"),
            headLine("GET", "/again", "HTTP/1.0"), endLine(""),
        ]),
    ParserCorpusEntry(
        name: "LF-only line endings",
        text: "POST /lf HTTP/1.1\nHost: x\nContent-Length: 3\n\nabc"
            + "POST /lf-chunked HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n3\nxyz\n0\n\n",
        expected: [
            headLine("POST", "/lf", framing: "length(3)"), endLine("abc"),
            headLine("POST", "/lf-chunked", framing: "chunked"), endLine("xyz"),
        ]),
    ParserCorpusEntry(
        name: "empty lines before a request line",
        text: "\r\n\n\r\nGET /after-blank HTTP/1.1\r\nHost: x\r\n\r\n"
            + "\r\nGET /after-one HTTP/1.1\r\nHost: x\r\n\r\n",
        expected: [headLine("GET", "/after-blank"), endLine(""), headLine("GET", "/after-one"), endLine("")]),
    ParserCorpusEntry(
        name: "HEAD",
        text: "HEAD /status HTTP/1.1\r\nHost: x\r\n\r\n",
        expected: [headLine("HEAD", "/status"), endLine("")]),
    ParserCorpusEntry(
        name: "absolute-form target",
        text: "GET http://example.com:8080/recommend?user=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
        expected: [headLine("GET", "http://example.com:8080/recommend?user=1"), endLine("")]),
    ParserCorpusEntry(
        name: "Expect: 100-continue",
        text: "POST /big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nping",
        expected: [headLine("POST", "/big", framing: "length(4)", expectsContinue: true), endLine("ping")]),
    ParserCorpusEntry(
        name: "optional whitespace around header values",
        text: "GET / HTTP/1.1\r\nHost:   example.com  \r\nX-Tabbed:\t\tvalue with  inner  spaces\t \r\n"
            + "X-Empty:\r\nConnection:  close\t\r\n\r\n",
        expected: [headLine("GET", "/", keepAlive: false), endLine("")]),
    ParserCorpusEntry(
        name: "duplicated equal Content-Length",
        text: "POST /dup HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /list HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc",
        expected: [
            headLine("POST", "/dup", framing: "length(5)"), endLine("hello"),
            headLine("POST", "/list", framing: "length(3)"), endLine("abc"),
        ]),
    ParserCorpusEntry(
        name: "chunk sizes with leading zeros",
        text: "POST /zeros HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "00000000000000000000000000000010\r\n\(alphabet.prefix(16))\r\n"
            + "0000000000000000000000000000000000000000000000000000000000000a;ext=1\r\n\(alphabet.suffix(10))\r\n"
            + "00000000000000000000\r\n\r\n",
        expected: [headLine("POST", "/zeros", framing: "chunked"), endLine(alphabet)]),
    ParserCorpusEntry(
        name: "other method, OPTIONS *, Content-Length 0",
        text: "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\nDELETE /items/7 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        expected: [headLine("OPTIONS", "*"), endLine(""), headLine("DELETE", "/items/7"), endLine("")]),
]

@Suite("HTTPRequestParser: event sequence does not depend on how bytes are split")
struct HTTPRequestParserSplitTests {
    /// Parses with a harness so the test can also check that nothing is left over.
    private func run(_ bytes: [UInt8], cuts: [Int]) throws(HTTPError) -> (events: [HTTPParserEvent], clean: Bool) {
        var harness = ParserHarness()
        var events: [HTTPParserEvent] = []
        for piece in Splits.pieces(bytes, cuts: cuts) {
            events += try harness.feed(piece)
        }
        return (events, harness.buffer.isEmpty && harness.parser.phase == .betweenRequests)
    }

    @Test("whole input gives the expected events", arguments: parserCorpus)
    func whole(entry: ParserCorpusEntry) throws {
        let result = try run(bytes(entry.text), cuts: [])
        #expect(result.events.map(summary) == entry.expected)
        #expect(result.clean, "bytes left over or a request left unfinished")
    }

    @Test("byte by byte gives the same events as whole input", arguments: parserCorpus)
    func byteByByte(entry: ParserCorpusEntry) throws {
        let input = bytes(entry.text)
        let whole = try parseAll(input)
        let result = try run(input, cuts: Splits.byteByByte(input.count))
        #expect(result.events == whole)
        #expect(result.clean)
    }

    @Test("200 random splits give the same events as whole input", arguments: parserCorpus)
    func randomSplits(entry: ParserCorpusEntry) throws {
        let input = bytes(entry.text)
        let whole = try parseAll(input)
        var rng = SplitMix64(seed: stableSeed(entry.name))
        for _ in 0..<200 {
            let cuts = Splits.random(input.count, using: &rng)
            let result = try run(input, cuts: cuts)
            #expect(result.events == whole, "cuts: \(cuts)")
            #expect(result.clean, "cuts: \(cuts)")
            if result.events != whole { break }
        }
    }

    @Test("the whole corpus as one pipelined stream parses the same at any split")
    func corpusAsOneStream() throws {
        let input = bytes(parserCorpus.map(\.text).joined())
        let whole = try parseAll(input)
        #expect(whole.map(summary) == parserCorpus.flatMap(\.expected))
        #expect(try parseAll(input, splits: Splits.byteByByte(input.count)) == whole)
        var rng = SplitMix64(seed: 42)
        for _ in 0..<50 {
            let cuts = Splits.random(input.count, using: &rng)
            #expect(try parseAll(input, splits: cuts) == whole, "cuts: \(cuts)")
        }
    }

    @Test("the random splitter covers few and many cuts, all in range")
    func splitterSanity() {
        var rng = SplitMix64(seed: 1)
        var counts = Set<Int>()
        for _ in 0..<200 {
            let cuts = Splits.random(50, using: &rng)
            #expect(cuts == cuts.sorted() && Set(cuts).count == cuts.count)
            #expect(cuts.allSatisfy { (1..<50).contains($0) })
            counts.insert(cuts.count)
        }
        #expect(counts.contains { $0 <= 2 } && counts.contains { $0 >= 20 })
        #expect(Splits.pieces(Array(0..<10), cuts: [3, 7]).map(Array.init) == [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9]])
    }
}

// MARK: - What the head says

@Suite("HTTPRequestParser: semantics of the parsed head")
struct HTTPRequestParserSemanticsTests {
    private func head(_ text: String) throws -> HTTPRequestHead {
        try #require(singleHead(parseAll(bytes(text))))
    }

    struct KeepAliveCase: Sendable, CustomTestStringConvertible {
        var version: String
        var connection: String?
        var keepAlive: Bool
        var testDescription: String { "\(version) Connection: \(connection ?? "(none)") → \(keepAlive)" }
    }

    @Test(
        "keep-alive follows the version and the Connection header",
        arguments: [
            KeepAliveCase(version: "HTTP/1.1", connection: nil, keepAlive: true),
            KeepAliveCase(version: "HTTP/1.1", connection: "close", keepAlive: false),
            KeepAliveCase(version: "HTTP/1.1", connection: "Close", keepAlive: false),
            KeepAliveCase(version: "HTTP/1.1", connection: "keep-alive, close", keepAlive: false),
            KeepAliveCase(version: "HTTP/1.1", connection: "Upgrade", keepAlive: true),
            KeepAliveCase(version: "HTTP/1.1", connection: "keep-alive", keepAlive: true),
            KeepAliveCase(version: "HTTP/1.0", connection: nil, keepAlive: false),
            KeepAliveCase(version: "HTTP/1.0", connection: "keep-alive", keepAlive: true),
            KeepAliveCase(version: "HTTP/1.0", connection: "Keep-Alive", keepAlive: true),
            KeepAliveCase(version: "HTTP/1.0", connection: "TE, keep-alive", keepAlive: true),
            KeepAliveCase(version: "HTTP/1.0", connection: "keep-alive, close", keepAlive: false),
            KeepAliveCase(version: "HTTP/1.0", connection: "close", keepAlive: false),
        ])
    func keepAlive(testCase: KeepAliveCase) throws {
        let connection = testCase.connection.map { "Connection: \($0)\r\n" } ?? ""
        let parsed = try head("GET / \(testCase.version)\r\nHost: x\r\n\(connection)\r\n")
        #expect(parsed.keepAlive == testCase.keepAlive)
    }

    @Test("a second Connection header is combined with the first")
    func keepAliveAcrossTwoHeaders() throws {
        let parsed = try head("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n")
        #expect(!parsed.keepAlive)
    }

    @Test(
        "framing comes from Content-Length or Transfer-Encoding",
        arguments: [
            ("", HTTPRequestHead.Framing.none),
            ("Content-Length: 0\r\n", .none),
            ("Content-Length: 10\r\n", .length(10)),
            ("content-length: 7\r\n", .length(7)),
            ("CONTENT-LENGTH:12\r\n", .length(12)),
            ("Content-Length: 007\r\n", .length(7)),
            ("Transfer-Encoding: chunked\r\n", .chunked),
            ("transfer-encoding: Chunked\r\n", .chunked),
        ])
    func framing(header: String, framing: HTTPRequestHead.Framing) throws {
        let parsed = try head("POST /f HTTP/1.1\r\nHost: x\r\n\(header)\r\n")
        #expect(parsed.framing == framing)
    }

    @Test(
        "expectsContinue needs Expect: 100-continue and a body",
        arguments: [
            ("Expect: 100-continue\r\nContent-Length: 3\r\n", true),
            ("Expect: 100-Continue\r\nTransfer-Encoding: chunked\r\n", true),
            ("Content-Length: 3\r\nexpect:100-continue\r\n", true),
            ("Expect: 100-continue\r\n", false),
            ("Expect: 100-continue\r\nContent-Length: 0\r\n", false),
            ("Content-Length: 3\r\n", false),
        ])
    func expectsContinue(headers: String, expected: Bool) throws {
        let parsed = try head("POST /e HTTP/1.1\r\nHost: x\r\n\(headers)\r\n")
        #expect(parsed.expectsContinue == expected)
    }

    @Test("header fields are kept in order, with names and trimmed values")
    func headerFieldsInOrder() throws {
        let parsed = try head(
            "GET /h HTTP/1.1\r\nhost: example.com\r\nAccept: text/html\r\nX-Custom:  one two \r\n"
                + "accept: application/json\r\nX-Empty:\r\nUser-Agent:\tcurl\t\r\n\r\n")
        #expect(
            fieldLines(parsed.headerFields) == [
                "host: example.com",
                "accept: text/html",
                "x-custom: one two",
                "accept: application/json",
                "x-empty: ",
                "user-agent: curl",
            ])
        #expect(parsed.headerFields[values: .accept] == ["text/html", "application/json"])
        #expect(parsed.headerFields[HTTPField.Name("X-Custom")!] == "one two")
    }

    @Test("an unknown header name keeps the client's spelling; a known one is found whatever its case")
    func headerNameSpelling() throws {
        let parsed = try head("GET / HTTP/1.1\r\nHOST: x\r\nX-MiXeD-Case: v\r\ncontent-TYPE: text/plain\r\n\r\n")
        let names = parsed.headerFields.map(\.name)
        #expect(names.map(\.rawName)[1] == "X-MiXeD-Case")
        #expect(names.map(\.canonicalName) == ["host", "x-mixed-case", "content-type"])
        #expect(parsed.headerFields[.contentType] == "text/plain")
    }

    @Test("obs-text (UTF-8) in a header value is kept")
    func utf8HeaderValue() throws {
        let parsed = try head("GET / HTTP/1.1\r\nHost: x\r\nX-Name: café ☕\r\n\r\n")
        #expect(parsed.headerFields[HTTPField.Name("X-Name")!] == "café ☕")
    }

    @Test("method, target and version are taken as sent")
    func requestLine() throws {
        let parsed = try head("PURGE /cache/item%201?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(parsed.method.rawValue == "PURGE")
        #expect(parsed.target == "/cache/item%201?x=1")
        #expect(parsed.version == .http1_1)
        let lowercase = try head("get / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(lowercase.method.rawValue == "get", "methods are case-sensitive tokens")
    }

    @Test("a higher HTTP/1.x minor version is treated as HTTP/1.1")
    func http12() throws {
        let parsed = try head("GET / HTTP/1.2\r\nHost: x\r\n\r\n")
        #expect(parsed.version == .http1_1)
        #expect(parsed.keepAlive)
        #expect(parseError(bytes("GET / HTTP/1.2\r\n\r\n"))?.code == "missing_host", "1.2 needs Host like 1.1")
        #expect(try head("GET / HTTP/1.9\r\nHost: x\r\n\r\n").version == .http1_1)
    }

    @Test("HTTP/1.0 needs no Host")
    func http10WithoutHost() throws {
        let parsed = try head("GET / HTTP/1.0\r\n\r\n")
        #expect(parsed.version == .http1_0)
        #expect(parsed.headerFields.isEmpty)
    }

    @Test("body bytes are exact: every byte value, CR LF inside, nothing from the next request")
    func exactBody() throws {
        let body = (0...255).map { UInt8($0) } + bytes("\r\n\r\nGET / HTTP/1.1\r\n")
        let request =
            bytes("POST /bin HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n") + body
            + bytes("GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
        for cuts in [[], Splits.byteByByte(request.count)] {
            let events = try parseAll(request, splits: cuts)
            #expect(bodies(events) == [body, []])
            #expect(events.count == 4)
        }
    }

    @Test("a chunked body is the chunks' data joined, without sizes, extensions or trailers")
    func chunkedBodyBytes() throws {
        let data = (0...255).map { UInt8($0) }
        let request =
            bytes("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            + bytes("80;x=y\r\n") + data[..<128] + bytes("\r\n")
            + bytes("80\r\n") + data[128...] + bytes("\r\n")
            + bytes("0\r\nTrailer-Field: t\r\n\r\n")
        let events = try parseAll(request)
        #expect(bodies(events) == [data])
        let head = try #require(singleHead(events))
        #expect(head.headerFields[HTTPField.Name("Trailer-Field")!] == nil, "trailers are dropped")
    }

    @Test("a body of exactly the limit is accepted, by Content-Length and chunked")
    func bodyAtLimit() throws {
        let limits = HTTPServerConfiguration.Limits.small
        let body = String(repeating: "b", count: limits.maxBodyBytes)
        let byLength = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n\(body)"
        #expect(try bodies(parseAll(bytes(byLength), limits: limits)) == [bytes(body)])
        let chunked =
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "10\r\n\(body.prefix(16))\r\n10\r\n\(body.suffix(16))\r\n0\r\n\r\n"
        #expect(try bodies(parseAll(bytes(chunked), limits: limits)) == [bytes(body)])
    }

    @Test("exactly the maximum number of header fields is accepted")
    func headerCountAtLimit() throws {
        let limits = HTTPServerConfiguration.Limits.small
        let extra = (1..<limits.maxHeaderCount).map { "X-\($0): v\r\n" }.joined()
        let events = try parseAll(bytes("GET / HTTP/1.1\r\nHost: x\r\n\(extra)\r\n"), limits: limits)
        #expect(singleHead(events)?.headerFields.count == limits.maxHeaderCount)
    }

    @Test("eight empty lines before a request are skipped")
    func eightEmptyLines() throws {
        let text = String(repeating: "\r\n", count: 8) + "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(try singleHead(parseAll(bytes(text)))?.target == "/")
    }
}

// MARK: - Errors

/// A request that must be refused, with the status and code it must be refused with.
struct ParserErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: [UInt8]
    var limits: HTTPServerConfiguration.Limits
    var status: Int
    var code: String

    init(_ name: String, _ text: String, limits: HTTPServerConfiguration.Limits = .small, _ status: Int, _ code: String)
    {
        self.init(name, bytes(text), limits: limits, status, code)
    }

    init(
        _ name: String, _ input: [UInt8], limits: HTTPServerConfiguration.Limits = .small, _ status: Int, _ code: String
    ) {
        self.name = name
        self.input = input
        self.limits = limits
        self.status = status
        self.code = code
    }

    var testDescription: String { "\(name) → \(status) \(code)" }
}

private let host = "Host: x\r\n"
private let chunkedPost = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
private let longPath = String(repeating: "a", count: 100)

let parserErrorCases: [ParserErrorCase] = [
    // Limits.
    ParserErrorCase(
        "request line longer than the limit", "GET /\(longPath) HTTP/1.1\r\n\(host)\r\n", 414, "request_line_too_long"),
    ParserErrorCase(
        "request line longer than the limit, no newline ever", "GET /\(longPath)", 414, "request_line_too_long"),
    ParserErrorCase(
        "one header line longer than the limit", "GET / HTTP/1.1\r\n\(host)X-Long: \(longPath)\r\n\r\n", 431,
        "header_too_large"),
    ParserErrorCase(
        "header line longer than the limit, no newline ever", "GET / HTTP/1.1\r\n\(host)X-Long: \(longPath)", 431,
        "header_too_large"),
    ParserErrorCase(
        "header section larger than the limit",
        "GET / HTTP/1.1\r\n\(host)" + (1...5).map { "X-Pad-\($0): \(String(repeating: "p", count: 40))\r\n" }.joined()
            + "\r\n",
        431, "headers_too_large"),
    ParserErrorCase(
        "too many header fields", "GET / HTTP/1.1\r\n\(host)" + (1...8).map { "X-\($0): v\r\n" }.joined() + "\r\n",
        431, "too_many_headers"),
    ParserErrorCase(
        "Content-Length over the body limit",
        "POST / HTTP/1.1\r\n\(host)Content-Length: 33\r\n\r\n\(String(repeating: "b", count: 33))",
        413, "body_too_large"),
    ParserErrorCase(
        "Content-Length with 20 digits", "POST / HTTP/1.1\r\n\(host)Content-Length: 99999999999999999999\r\n\r\n", 413,
        "body_too_large"),
    ParserErrorCase(
        "one chunk over the body limit", chunkedPost + "21\r\n\(String(repeating: "c", count: 33))\r\n0\r\n\r\n", 413,
        "body_too_large"),
    ParserErrorCase(
        "chunks adding up to more than the body limit",
        chunkedPost
            + "10\r\n\(String(repeating: "c", count: 16))\r\n11\r\n\(String(repeating: "d", count: 17))\r\n0\r\n\r\n",
        413, "body_too_large"),
    ParserErrorCase(
        "huge chunk size", chunkedPost + "FFFFFFFFFFFFFFFFFFFF\r\n", limits: .init(), 413, "body_too_large"),
    ParserErrorCase(
        "chunk size of 2^63, one past Int", chunkedPost + "8000000000000000\r\n", limits: .init(), 413, "body_too_large"
    ),
    ParserErrorCase(
        "huge chunk size behind leading zeros",
        chunkedPost + String(repeating: "0", count: 40) + "FFFFFFFFFFFFFFFFFFFF\r\n",
        limits: .init(), 413, "body_too_large"),
    ParserErrorCase(
        "chunk over the body limit behind leading zeros", chunkedPost + "000000000021\r\n", 413, "body_too_large"),

    // Request line.
    ParserErrorCase("request line without version", "GET /\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("request line with only a method", "GET\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("two spaces after the method", "GET  / HTTP/1.1\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("two spaces before the version", "GET /  HTTP/1.1\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("trailing space after the version", "GET / HTTP/1.1 \r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("space inside the target", "GET /a b HTTP/1.1\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("empty method", " / HTTP/1.1\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("method with a non-token character", "G@T / HTTP/1.1\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("lowercase http/1.1", "GET / http/1.1\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("version HTTP/1", "GET / HTTP/1\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("version HTTP/1.10", "GET / HTTP/1.10\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("version HTTP/x.1", "GET / HTTP/x.1\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase(
        "control character in the target", "GET /a\u{01}b HTTP/1.1\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("DEL in the target", "GET /a\u{7F} HTTP/1.1\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("raw non-ASCII in the target", "GET /café HTTP/1.1\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase("CR before CR LF", "GET / HTTP/1.1\r\r\n\(host)\r\n", 400, "bad_request_line"),
    ParserErrorCase(
        "nine empty lines before the request", String(repeating: "\r\n", count: 9) + "GET / HTTP/1.1\r\n\(host)\r\n",
        400, "bad_request"),

    // Header lines.
    ParserErrorCase("space between header name and colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "bad_header"),
    ParserErrorCase("tab inside a header name", "GET / HTTP/1.1\r\n\(host)X\tA: b\r\n\r\n", 400, "bad_header"),
    ParserErrorCase(
        "control character in a header name", "GET / HTTP/1.1\r\n\(host)X-A\u{01}: b\r\n\r\n", 400, "bad_header"),
    ParserErrorCase(
        "non-token character in a header name", "GET / HTTP/1.1\r\n\(host)X(A): b\r\n\r\n", 400, "bad_header"),
    ParserErrorCase("header line without a colon", "GET / HTTP/1.1\r\n\(host)No colon here\r\n\r\n", 400, "bad_header"),
    ParserErrorCase("empty header name", "GET / HTTP/1.1\r\n\(host): value\r\n\r\n", 400, "bad_header"),
    ParserErrorCase(
        "obs-fold continuation line", "GET / HTTP/1.1\r\n\(host)X-A: b\r\n  continued\r\n\r\n", 400, "bad_header"),
    ParserErrorCase("obs-fold with a tab", "GET / HTTP/1.1\r\n\(host)X-A: b\r\n\tcontinued\r\n\r\n", 400, "bad_header"),
    ParserErrorCase(
        "control character in a header value", "GET / HTTP/1.1\r\n\(host)X-A: a\u{01}b\r\n\r\n", 400, "bad_header"),
    ParserErrorCase("NUL in a header value", "GET / HTTP/1.1\r\n\(host)X-A: a\u{00}b\r\n\r\n", 400, "bad_header"),
    ParserErrorCase("DEL in a header value", "GET / HTTP/1.1\r\n\(host)X-A: a\u{7F}\r\n\r\n", 400, "bad_header"),
    ParserErrorCase("bare CR in a header value", "GET / HTTP/1.1\r\n\(host)X-A: a\rb\r\n\r\n", 400, "bad_header"),
    ParserErrorCase("bad trailer field", chunkedPost + "0\r\nBad Trailer: x\r\n\r\n", 400, "bad_header"),

    // Chunks.
    ParserErrorCase("non-hex chunk size", chunkedPost + "zz\r\n", 400, "bad_chunk"),
    ParserErrorCase("0x prefix on a chunk size", chunkedPost + "0x5\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"),
    ParserErrorCase("negative chunk size", chunkedPost + "-5\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"),
    ParserErrorCase("missing chunk size", chunkedPost + "\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"),
    ParserErrorCase("chunk extension without a size", chunkedPost + ";ext=1\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"),
    ParserErrorCase(
        "chunk size line longer than 1024 bytes", chunkedPost + "1;" + String(repeating: "e", count: 2000) + "\r\n",
        limits: .init(), 400, "bad_chunk"),
    ParserErrorCase(
        "chunk size of 2000 zeros then 10", chunkedPost + String(repeating: "0", count: 2000) + "10\r\n",
        limits: .init(), 400, "bad_chunk"),
    ParserErrorCase("chunk data followed by other bytes", chunkedPost + "5\r\nhelloXY0\r\n\r\n", 400, "bad_chunk"),
    ParserErrorCase("chunk data followed by CR and no LF", chunkedPost + "5\r\nhello\rX0\r\n\r\n", 400, "bad_chunk"),
    ParserErrorCase("chunk longer than its size", chunkedPost + "3\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"),

    // Framing.
    ParserErrorCase(
        "Content-Length and Transfer-Encoding",
        "POST / HTTP/1.1\r\n\(host)Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
        "bad_transfer_encoding"),
    ParserErrorCase(
        "Transfer-Encoding and Content-Length",
        "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400,
        "bad_transfer_encoding"),
    ParserErrorCase(
        "two different Content-Length headers",
        "POST / HTTP/1.1\r\n\(host)Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400, "bad_content_length"),
    ParserErrorCase(
        "a Content-Length list with different values", "POST / HTTP/1.1\r\n\(host)Content-Length: 5, 6\r\n\r\nhello!",
        400, "bad_content_length"),
    ParserErrorCase(
        "non-numeric Content-Length", "POST / HTTP/1.1\r\n\(host)Content-Length: abc\r\n\r\n", 400, "bad_content_length"
    ),
    ParserErrorCase(
        "negative Content-Length", "POST / HTTP/1.1\r\n\(host)Content-Length: -1\r\n\r\n", 400, "bad_content_length"),
    ParserErrorCase(
        "Content-Length with a plus sign", "POST / HTTP/1.1\r\n\(host)Content-Length: +5\r\n\r\nhello", 400,
        "bad_content_length"),
    ParserErrorCase(
        "Content-Length in hex", "POST / HTTP/1.1\r\n\(host)Content-Length: 0x5\r\n\r\nhello", 400, "bad_content_length"
    ),
    ParserErrorCase(
        "Content-Length with inner space", "POST / HTTP/1.1\r\n\(host)Content-Length: 1 2\r\n\r\n", 400,
        "bad_content_length"),
    ParserErrorCase(
        "Transfer-Encoding on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
        "bad_transfer_encoding"),
    ParserErrorCase(
        "Transfer-Encoding: gzip, chunked", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip, chunked\r\n\r\n", 501,
        "transfer_coding_not_supported"),
    ParserErrorCase(
        "gzip and chunked in two headers",
        "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", 501,
        "transfer_coding_not_supported"),
    ParserErrorCase(
        "Transfer-Encoding: chunked, gzip", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, gzip\r\n\r\n", 400,
        "bad_transfer_encoding"),
    ParserErrorCase(
        "Transfer-Encoding: chunked, chunked", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, chunked\r\n\r\n",
        400, "bad_transfer_encoding"),
    ParserErrorCase(
        "Transfer-Encoding: identity", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: identity\r\n\r\n", 400,
        "bad_transfer_encoding"),

    // Version, Host, Expect.
    ParserErrorCase("HTTP/2.0", "GET / HTTP/2.0\r\n\(host)\r\n", 505, "http_version_not_supported"),
    ParserErrorCase("HTTP/3.0", "GET / HTTP/3.0\r\n\(host)\r\n", 505, "http_version_not_supported"),
    ParserErrorCase("HTTP/0.9", "GET / HTTP/0.9\r\n\(host)\r\n", 505, "http_version_not_supported"),
    ParserErrorCase("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, "missing_host"),
    ParserErrorCase(
        "Expect: something-else", "POST / HTTP/1.1\r\n\(host)Expect: something-else\r\nContent-Length: 2\r\n\r\nhi",
        417, "expectation_failed"),
]

@Suite("HTTPRequestParser: errors, raised the same way at any split")
struct HTTPRequestParserErrorTests {
    @Test("whole input raises the expected status and code", arguments: parserErrorCases)
    func whole(testCase: ParserErrorCase) throws {
        let error = try #require(parseError(testCase.input, limits: testCase.limits))
        #expect(error.status.code == testCase.status)
        #expect(error.code == testCase.code)
        #expect(!error.message.isEmpty)
    }

    @Test("byte by byte and 50 random splits raise the same error", arguments: parserErrorCases)
    func anySplit(testCase: ParserErrorCase) throws {
        let whole = try #require(parseError(testCase.input, limits: testCase.limits))
        let byteByByte = parseError(
            testCase.input, splits: Splits.byteByByte(testCase.input.count), limits: testCase.limits)
        #expect(byteByByte == whole)
        var rng = SplitMix64(seed: stableSeed(testCase.name))
        for _ in 0..<50 {
            let cuts = Splits.random(testCase.input.count, using: &rng)
            let error = parseError(testCase.input, splits: cuts, limits: testCase.limits)
            #expect(error == whole, "cuts: \(cuts)")
            if error != whole { break }
        }
    }

    @Test("an error in the second pipelined request comes after the first request's events")
    func errorAfterPipelinedRequest() throws {
        var harness = ParserHarness()
        let first = try harness.feed(bytes("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(first.map(summary) == [headLine("GET", "/ok"), endLine("")])
        do {
            let events = try harness.feed(bytes("GET /bad  HTTP/1.1\r\nHost: x\r\n\r\n"))
            Issue.record("expected an error, got \(events.map(summary))")
        } catch {
            #expect(error.code == "bad_request_line")
        }
    }
}

@Suite("HTTPRequestParser: limits are enforced as soon as they are passed")
struct HTTPRequestParserEarlyLimitTests {
    private let limits = HTTPServerConfiguration.Limits.small

    @Test("a request line trickled in without LF fails at the first byte past the limit")
    func requestLineWithoutNewline() throws {
        let input = bytes("GET /" + String(repeating: "a", count: 200))
        let failure = try #require(byteCountAtError(input, limits: limits))
        #expect(failure.fed == limits.maxRequestLineBytes + 1)
        #expect(failure.error.status == .uriTooLong)
        #expect(failure.error.code == "request_line_too_long")
    }

    @Test("a header line trickled in without LF fails at the first byte past the limit")
    func headerLineWithoutNewline() throws {
        let requestLine = "GET / HTTP/1.1\r\n"
        let input = bytes(requestLine + "X-Long: " + String(repeating: "a", count: 200))
        let failure = try #require(byteCountAtError(input, limits: limits))
        #expect(failure.fed == requestLine.utf8.count + limits.maxHeaderLineBytes + 1)
        #expect(failure.error.status == .requestHeaderFieldsTooLarge)
        #expect(failure.error.code == "header_too_large")
    }

    @Test("a header section trickled in fails at the first byte past the limit, not at the next LF")
    func headerSectionWithoutNewline() throws {
        let limits = HTTPServerConfiguration.Limits(maxHeaderLineBytes: 1000, maxHeaderBytes: 256)
        let before = "GET / HTTP/1.1\r\nHost: x\r\n"
        let input = bytes(before + "X-Long: " + String(repeating: "a", count: 400))
        let failure = try #require(byteCountAtError(input, limits: limits))
        // "Host: x\r\n" (9 bytes) already counts against the header section.
        #expect(failure.fed == before.utf8.count + (limits.maxHeaderBytes - 9) + 1)
        #expect(failure.error.status == .requestHeaderFieldsTooLarge)
        #expect(failure.error.code == "headers_too_large")
    }

    @Test("a Content-Length over the limit fails at the end of the head, before any body byte")
    func contentLengthBeforeBody() throws {
        let head = bytes("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 33\r\n\r\n")
        let failure = try #require(byteCountAtError(head + Array(repeating: 0x62, count: 33), limits: limits))
        #expect(failure.fed == head.count)
        #expect(failure.error.status == .contentTooLarge)
        #expect(failure.error.code == "body_too_large")
    }

    @Test("a chunk over the limit fails at its size line, before its data")
    func chunkBeforeData() throws {
        let head = bytes(chunkedPost)
        let sizeLine = bytes("21\r\n")
        let failure = try #require(
            byteCountAtError(head + sizeLine + Array(repeating: 0x63, count: 33), limits: limits))
        #expect(failure.fed == head.count + sizeLine.count)
        #expect(failure.error.code == "body_too_large")
    }

    @Test("a chunk that makes the body too large fails at its size line")
    func secondChunkBeforeData() throws {
        let prefix = bytes(chunkedPost + "10\r\n\(String(repeating: "c", count: 16))\r\n11\r\n")
        let failure = try #require(byteCountAtError(prefix + Array(repeating: 0x64, count: 17), limits: limits))
        #expect(failure.fed == prefix.count)
        #expect(failure.error.code == "body_too_large")
    }

    @Test("an unsupported version fails at the end of the request line")
    func versionAtRequestLine() throws {
        let line = bytes("GET / HTTP/2.0\r\n")
        let failure = try #require(byteCountAtError(line + bytes("Host: x\r\n\r\n")))
        #expect(failure.fed == line.count)
        #expect(failure.error.status == .httpVersionNotSupported)
    }

    @Test("a bad header fails at the end of its line, before the head ends")
    func badHeaderAtItsLine() throws {
        let prefix = bytes("GET / HTTP/1.1\r\nHost : x\r\n")
        let failure = try #require(byteCountAtError(prefix + bytes("Accept: */*\r\n\r\n")))
        #expect(failure.fed == prefix.count)
        #expect(failure.error.code == "bad_header")
    }

    /// A request whose longest line (or header section) is exactly at its limit, and the same request one byte over.
    struct AtLimitCase: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var oneByteOver: String
        var limits: HTTPServerConfiguration.Limits
        var status: Int
        var code: String
        var testDescription: String { name }
    }

    static let atLimitCases: [AtLimitCase] = {
        let limits = HTTPServerConfiguration.Limits.small
        let target = "/" + String(repeating: "r", count: limits.maxRequestLineBytes - "GET / HTTP/1.1".utf8.count)
        let value = String(repeating: "h", count: limits.maxHeaderLineBytes - "X-Pad: ".utf8.count)
        let sectionLimits = HTTPServerConfiguration.Limits(maxHeaderLineBytes: 1000, maxHeaderBytes: 256)
        // "Host: x\r\n" (9) + "X-Pad: …\r\n" (9 + pad) + "\r\n" (2) is exactly 256 bytes.
        let pad = String(repeating: "s", count: 256 - 9 - 9 - 2)
        return [
            AtLimitCase(
                name: "request line of exactly the limit",
                text: "GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n",
                oneByteOver: "GET \(target)r HTTP/1.1\r\nHost: x\r\n\r\n",
                limits: limits, status: 414, code: "request_line_too_long"),
            AtLimitCase(
                name: "header line of exactly the limit",
                text: "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: \(value)\r\n\r\n",
                oneByteOver: "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: \(value)h\r\n\r\n",
                limits: limits, status: 431, code: "header_too_large"),
            AtLimitCase(
                name: "header section of exactly the limit",
                text: "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: \(pad)\r\n\r\n",
                oneByteOver: "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: \(pad)s\r\n\r\n",
                limits: sectionLimits, status: 431, code: "headers_too_large"),
        ]
    }()

    @Test("exactly the limit is accepted whole, one byte more is refused", arguments: atLimitCases)
    func atLimitWhole(testCase: AtLimitCase) throws {
        #expect(try singleHead(parseAll(bytes(testCase.text), limits: testCase.limits)) != nil)
        let error = try #require(parseError(bytes(testCase.oneByteOver), limits: testCase.limits))
        #expect(error.status.code == testCase.status)
        #expect(error.code == testCase.code)
    }

    // A read that ends between a line's CR and its LF must not count the CR against the limit.
    @Test("a line of exactly the limit is accepted however it is split", arguments: atLimitCases)
    func atLimitAnySplit(testCase: AtLimitCase) throws {
        let input = bytes(testCase.text)
        #expect(parseError(input, splits: Splits.byteByByte(input.count), limits: testCase.limits) == nil)
        for (index, byte) in input.enumerated() where byte == UInt8(ascii: "\r") {
            let error = parseError(input, splits: [index + 1], limits: testCase.limits)
            #expect(
                error == nil, "split after the CR at \(index): \(error.map { "\($0.status.code) \($0.code)" } ?? "")")
        }
    }
}

// MARK: - Phase

@Suite("HTTPRequestParser: phase")
struct HTTPRequestParserPhaseTests {
    @Test("betweenRequests before anything and after each request, head inside a head, body inside a body")
    func contentLengthRequest() throws {
        var harness = ParserHarness()
        #expect(harness.parser.phase == .betweenRequests)
        #expect(try harness.feed(bytes("")).isEmpty)
        #expect(harness.parser.phase == .betweenRequests)

        #expect(try harness.feed(bytes("PO")).isEmpty)
        #expect(harness.parser.phase == .head)
        #expect(try harness.feed(bytes("ST /p HTTP/1.1\r\nHo")).isEmpty)
        #expect(harness.parser.phase == .head)
        #expect(try harness.feed(bytes("st: x\r\nContent-Length: 4\r\n")).isEmpty)
        #expect(harness.parser.phase == .head)

        let head = try harness.feed(bytes("\r\n"))
        #expect(head.map(summary) == [headLine("POST", "/p", framing: "length(4)")])
        #expect(harness.parser.phase == .body)
        #expect(try harness.feed(bytes("ab")).isEmpty)
        #expect(harness.parser.phase == .body)

        #expect(try harness.feed(bytes("cd")) == [.end(body: bytes("abcd"))])
        #expect(harness.parser.phase == .betweenRequests)

        #expect(try harness.feed(bytes("GET /g HTTP/1.1\r\nHost: x\r\n\r\n")).count == 2)
        #expect(harness.parser.phase == .betweenRequests)
    }

    @Test("a chunked body is in the body phase through sizes, data and trailers")
    func chunkedRequest() throws {
        var harness = ParserHarness()
        #expect(try harness.feed(bytes(chunkedPost)).count == 1)
        for piece in ["3", "\r\n", "ab", "c", "\r", "\n", "0\r\n", "X-Trailer: 1\r\n", "\r"] {
            #expect(try harness.feed(bytes(piece)).isEmpty, "after \(piece.debugDescription)")
            #expect(harness.parser.phase == .body, "after \(piece.debugDescription)")
        }
        #expect(try harness.feed(bytes("\n")) == [.end(body: bytes("abc"))])
        #expect(harness.parser.phase == .betweenRequests)
    }

    @Test("the phase follows each pipelined request as next() is called")
    func pipelined() throws {
        let harness = ParserHarness()
        var parser = harness.parser
        harness.buffer.append(
            bytes("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nz"))
        var phases: [HTTPRequestParser.Phase] = []
        var events: [HTTPParserEvent] = []
        while let event = try parser.next(harness.buffer) {
            events.append(event)
            phases.append(parser.phase)
        }
        #expect(events.count == 4)
        #expect(phases == [.body, .betweenRequests, .body, .betweenRequests])
        #expect(harness.buffer.isEmpty)
    }

    @Test("an unfinished head stays in the head phase, its complete lines consumed")
    func unfinishedHead() throws {
        var harness = ParserHarness()
        #expect(try harness.feed(bytes("GET / HTTP/1.1\r\nHost: x\r\n")).isEmpty)
        #expect(harness.parser.phase == .head)
        #expect(harness.buffer.isEmpty, "complete lines are consumed")
    }
}

// MARK: - RFC 9110/9112 requirements

@Suite("HTTPRequestParser: RFC requirements")
struct HTTPRequestParserRFCTests {
    // RFC 9112 §3.2 — a server MUST answer 400 to a request with more than one Host field line.
    @Test(
        "more than one Host header is a 400",
        arguments: [
            "GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a.example\r\nhost: a.example\r\n\r\n",
            "GET / HTTP/1.0\r\nHost: a.example\r\nHOST: b.example\r\n\r\n",
        ])
    func duplicateHost(text: String) {
        let error = parseError(bytes(text))
        #expect(error?.status == .badRequest, "accepted two Host headers")
    }

    // RFC 9110 §8.6 — Content-Length is 1*DIGIT; RFC 9112 §6.3 — an invalid one MUST get a 400.
    // An empty value (or one of only commas) must not pass for "no Content-Length", or it would slip
    // past the Content-Length + Transfer-Encoding check.
    @Test(
        "an empty Content-Length is a 400",
        arguments: [
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:   \r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ,\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        ])
    func emptyContentLength(text: String) {
        let error = parseError(bytes(text))
        #expect(error?.status == .badRequest, "accepted an empty Content-Length")
        #expect(error?.code == "bad_content_length")
    }

    // RFC 9110 §10.1.1 — a server that receives a 100-continue expectation in an HTTP/1.0 request
    // MUST ignore it (an HTTP/1.0 client does not understand 1xx responses).
    @Test("Expect: 100-continue is ignored on HTTP/1.0")
    func continueOnHTTP10() throws {
        let events = try parseAll(bytes("POST /e HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi"))
        let head = try #require(singleHead(events))
        #expect(!head.expectsContinue)
        #expect(bodies(events) == [bytes("hi")])
    }

    // After chunk data, a byte other than CR or LF is already an error, but the parser
    // waits for a second byte before saying so; a client that stops there gets no 400 until a timeout.
    @Test("a wrong byte after chunk data fails as soon as it arrives")
    func wrongByteAfterChunkData() throws {
        let prefix = bytes(chunkedPost + "5\r\nhelloX")
        let failure = try #require(byteCountAtError(prefix + bytes("0\r\n\r\n")))
        #expect(failure.error.code == "bad_chunk")
        var harness = ParserHarness()
        #expect(failure.fed == prefix.count)
        #expect(throws: HTTPError.self) { _ = try harness.feed(prefix) }
    }
}

@Suite("Header bytes")
struct HeaderByteTests {
    @Test("a token character is exactly a tchar of RFC 9110 §5.6.2")
    func tokenCharactersAreTheRFCs() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(byte.isTokenCharacter == tchar.contains(byte), "byte \(byte)")
        }
    }

    @Test("known header names are matched without regard to case; others keep their spelling")
    func knownNames() {
        func name(_ text: String) -> HTTPField.Name {
            Array(text.utf8).withUnsafeBufferPointer { KnownField.name($0) }
        }
        #expect(name("x-request-id") == KnownField.requestID)
        #expect(name("HOST") == KnownField.host)
        #expect(name("Content-Length") == .contentLength)
        #expect(name("X-Custom").rawName == "X-Custom")
        #expect(name("Hosts").canonicalName == "hosts")
    }

    @Test("a field made from parsed bytes equals swift-http-types' own, ASCII or not")
    func parsedValueField() {
        for value in ["text/html", "", "caf\u{e9}", "tab\there"] {
            let bytes = Array(value.utf8)
            let ours = bytes.withUnsafeBufferPointer { HTTPField(name: .accept, parsedValue: $0) }
            #expect(ours == HTTPField(name: .accept, value: bytes))
        }
        let latin1: [UInt8] = [0x61, 0xE9, 0x62]
        let ours = latin1.withUnsafeBufferPointer { HTTPField(name: .accept, parsedValue: $0) }
        #expect(ours == HTTPField(name: .accept, value: latin1))
    }
}
