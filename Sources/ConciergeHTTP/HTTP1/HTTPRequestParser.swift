import HTTPTypes

#if canImport(Glibc)
    import Glibc
#endif

/// The head of a request, validated, with how its body is framed.
struct HTTPRequestHead: Sendable, Equatable {
    enum Framing: Sendable, Equatable {
        case none
        case length(Int)
        case chunked
    }

    var method: HTTPRequest.Method
    var target: String
    var version: HTTPVersion
    var headerFields: HTTPFields
    /// The Host field's value.
    var authority: String?
    /// The last `X-Request-Id` the server accepts (`RequestIDGenerator.isAcceptable`), to answer with.
    var clientRequestID: String?
    var keepAlive: Bool
    var expectsContinue: Bool
    var framing: Framing
}

enum HTTPParserEvent: Sendable, Equatable {
    case head(HTTPRequestHead)
    case end(body: [UInt8])
}

/// An incremental HTTP/1.x request parser (RFC 9112). It keeps no bytes of its own:
/// it scans the connection's `InputBuffer` in place, consumes what it has understood, and
/// remembers only how far it has looked, so it gives the same events however the bytes arrive.
///
/// Hand-written because the server must not depend on SwiftNIO, and every limit needs its own status.
struct HTTPRequestParser {
    enum Phase: Equatable {
        /// Nothing of a request seen yet.
        case betweenRequests
        case head
        case body
    }

    private enum State {
        case requestLine(scanned: Int)
        case headerLine(scanned: Int)
        case fixedBody(remaining: Int)
        case chunkSize(scanned: Int)
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailerLine(scanned: Int)
    }

    let limits: HTTPServerConfiguration.Limits
    private var state = State.requestLine(scanned: 0)
    private var head = PartialHead()
    private var body: [UInt8] = []

    /// The header fields of the request being parsed, as far as they got: what a refusal of its head (a body
    /// announced too large) can still be answered by, such as its Origin.
    var headerFieldsSoFar: HTTPFields { head.headerFields }

    init(limits: HTTPServerConfiguration.Limits) {
        self.limits = limits
    }

    var phase: Phase {
        switch state {
        case .requestLine(let scanned): scanned == 0 && head.emptyLinesSkipped == 0 ? .betweenRequests : .head
        case .headerLine: .head
        default: .body
        }
    }

    /// The next event the buffered bytes make, or nil when more bytes are needed.
    mutating func next(_ buffer: InputBuffer) throws(HTTPError) -> HTTPParserEvent? {
        while true {
            switch state {
            case .requestLine(let scanned):
                guard let line = try takeLine(buffer, scanned: scanned, limit: limits.maxRequestLineBytes) else {
                    return nil
                }
                if line.isEmpty {
                    // RFC 9112 §2.2: ignore empty lines before a request line, but not endlessly.
                    head.emptyLinesSkipped += 1
                    if head.emptyLinesSkipped > 8 { throw .badRequest("the request starts with too many empty lines") }
                    continue
                }
                try head.parseRequestLine(line)
                state = .headerLine(scanned: 0)
            case .headerLine(let scanned):
                guard let line = try takeLine(buffer, scanned: scanned, limit: limits.maxHeaderLineBytes) else {
                    return nil
                }
                if line.isEmpty {
                    let complete = try head.finish(limits: limits)
                    head = PartialHead()
                    switch complete.framing {
                    case .none: state = .fixedBody(remaining: 0)
                    case .length(let length):
                        state = .fixedBody(remaining: length)
                        body.reserveCapacity(length)
                    case .chunked: state = .chunkSize(scanned: 0)
                    }
                    return .head(complete)
                }
                try head.parseHeaderLine(line, limits: limits)
            case .fixedBody(let remaining):
                let taken = min(remaining, buffer.readableCount)
                if taken > 0 {
                    body.append(contentsOf: UnsafeBufferPointer(rebasing: buffer.readable[..<taken]))
                    buffer.consume(taken)
                }
                guard remaining == taken else {
                    state = .fixedBody(remaining: remaining - taken)
                    return nil
                }
                return endRequest()
            case .chunkSize(let scanned):
                guard let line = try takeLine(buffer, scanned: scanned, limit: Self.maxChunkLineBytes) else {
                    return nil
                }
                let size = try chunkSize(line)
                if size == 0 {
                    state = .trailerLine(scanned: 0)
                } else {
                    guard size <= limits.maxBodyBytes - body.count else { throw Self.bodyTooLarge(limits) }
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let taken = min(remaining, buffer.readableCount)
                guard taken > 0 else { return nil }
                body.append(contentsOf: UnsafeBufferPointer(rebasing: buffer.readable[..<taken]))
                buffer.consume(taken)
                state = remaining == taken ? .chunkDataEnd : .chunkData(remaining: remaining - taken)
            case .chunkDataEnd:
                let bytes = buffer.readable
                guard let first = bytes.first else { return nil }
                if first == .lineFeed {
                    buffer.consume(1)
                } else {
                    guard first == .carriageReturn else {
                        throw .badRequest("chunk data is not followed by CRLF", code: "bad_chunk")
                    }
                    guard bytes.count >= 2 else { return nil }
                    guard bytes[1] == .lineFeed else {
                        throw .badRequest("chunk data is not followed by CRLF", code: "bad_chunk")
                    }
                    buffer.consume(2)
                }
                state = .chunkSize(scanned: 0)
            case .trailerLine(let scanned):
                guard let line = try takeLine(buffer, scanned: scanned, limit: limits.maxHeaderLineBytes) else {
                    return nil
                }
                if line.isEmpty { return endRequest() }
                // Trailer fields are checked like header fields, then dropped: no responder reads them.
                try head.parseHeaderLine(line, limits: limits)
            }
        }
    }

    private mutating func endRequest() -> HTTPParserEvent {
        let complete = body
        body = []
        head = PartialHead()
        state = .requestLine(scanned: 0)
        return .end(body: complete)
    }

    /// Takes one line off the buffer (without its CR LF), or notes how far it looked and returns nil.
    private mutating func takeLine(
        _ buffer: InputBuffer, scanned: Int, limit: Int
    ) throws(HTTPError) -> UnsafeBufferPointer<UInt8>? {
        let bytes = buffer.readable
        let searchStart = scanned
        let lineFeed: Int? =
            if searchStart < bytes.count, let base = bytes.baseAddress,
                let found = memchr(base + searchStart, Int32(UInt8.lineFeed), bytes.count - searchStart)
            {
                UnsafeRawPointer(found) - UnsafeRawPointer(base)
            } else {
                nil
            }
        guard let lineFeed else {
            // A CR waiting for its LF is not part of the line.
            try checkLineLength(bytes.last == .carriageReturn ? bytes.count - 1 : bytes.count, bytes, limit: limit)
            if case .headerLine = state, head.headerBytes + bytes.count > limits.maxHeaderBytes {
                try checkHeaderSection(pending: bytes.count)
            }
            setScanned(bytes.count)
            return nil
        }
        var end = lineFeed
        if end > 0, bytes[end - 1] == .carriageReturn { end -= 1 }
        try checkLineLength(end, bytes, limit: limit)
        if case .headerLine = state { head.headerBytes += lineFeed + 1 }
        if case .trailerLine = state { head.headerBytes += lineFeed + 1 }
        try checkHeaderSection()
        let line = UnsafeBufferPointer(rebasing: bytes[..<end])
        // The line stays valid: consuming only moves the reader index; nothing is written before the next read.
        buffer.consume(lineFeed + 1)
        setScanned(0)
        return line
    }

    /// Fails if the line (`length` bytes without its CR LF; `line` is what has arrived of it) is over `limit`.
    /// The error is the one a client sending byte by byte would meet first, so it does not depend on how the
    /// bytes were split: if the header section's limit was passed before the line's, that is the error.
    private func checkLineLength(_ length: Int, _ line: UnsafeBufferPointer<UInt8>, limit: Int) throws(HTTPError) {
        guard length > limit else { return }
        if case .headerLine = state {
            // The byte that took the line past its limit; a CR there may have begun the CR LF, so then the next one.
            let lineLimitPassedAt = limit + (line[limit] == .carriageReturn ? 2 : 1)
            try checkHeaderSection(pending: lineLimitPassedAt - 1)
        }
        switch state {
        case .requestLine:
            throw HTTPError(
                .uriTooLong, code: "request_line_too_long",
                message: "the request line is longer than \(limit) bytes")
        case .headerLine, .trailerLine:
            throw HTTPError(
                .requestHeaderFieldsTooLarge, code: "header_too_large",
                message: "a header line is longer than \(limit) bytes")
        default:
            throw .badRequest("a chunk size line is longer than \(limit) bytes", code: "bad_chunk")
        }
    }

    private func checkHeaderSection(pending: Int = 0) throws(HTTPError) {
        guard head.headerBytes + pending > limits.maxHeaderBytes else { return }
        throw HTTPError(
            .requestHeaderFieldsTooLarge, code: "headers_too_large",
            message: "the header section is larger than \(limits.maxHeaderBytes) bytes")
    }

    private mutating func setScanned(_ scanned: Int) {
        switch state {
        case .requestLine: state = .requestLine(scanned: scanned)
        case .headerLine: state = .headerLine(scanned: scanned)
        case .chunkSize: state = .chunkSize(scanned: scanned)
        case .trailerLine: state = .trailerLine(scanned: scanned)
        default: break
        }
    }

    private static let maxChunkLineBytes = 1024

    private func chunkSize(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPError) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            guard let value = PercentDecoding.hexValue(byte) else {
                // Chunk extensions (`;name=value`) carry nothing we use.
                guard digits > 0, byte == .semicolon || byte == .space || byte == .tab else {
                    throw .badRequest("a chunk size is not a hexadecimal number", code: "bad_chunk")
                }
                break
            }
            digits += 1
            // The value decides, not the digit count: leading zeros are allowed (RFC 9112 §7.1).
            let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
            guard !overflow else { throw Self.bodyTooLarge(limits) }
            size = shifted | Int(value)
        }
        guard digits > 0 else { throw .badRequest("a chunk size is missing", code: "bad_chunk") }
        return size
    }

    static func bodyTooLarge(_ limits: HTTPServerConfiguration.Limits) -> HTTPError {
        HTTPError(
            .contentTooLarge, code: "body_too_large",
            message: "the request body is larger than \(limits.maxBodyBytes) bytes")
    }
}

/// The request line and header fields seen so far of the request being parsed.
private struct PartialHead {
    var emptyLinesSkipped = 0
    var method: HTTPRequest.Method = .get
    var target = ""
    var version = HTTPVersion.http1_1
    var headerFields = HTTPFields()
    var host: String?
    var clientRequestID: String?
    var headerCount = 0
    var headerBytes = 0
    var contentLength: Int?
    var transferEncoding: [String] = []
    var connectionClose = false
    var connectionKeepAlive = false
    var expectsContinue = false
    var unsupportedExpectation: String?

    mutating func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPError) {
        // The usual line in one scan of its target: `METHOD target HTTP/x.y`, the target all visible ASCII.
        if let firstSpace = line.firstIndex(of: .space), firstSpace > 0 {
            let targetEnd = ByteScan.firstInvisible(in: line, from: firstSpace + 1)
            if targetEnd > firstSpace + 1, targetEnd < line.count, line[targetEnd] == .space,
                !line[(targetEnd + 1)...].contains(.space),
                let method = Self.method(UnsafeBufferPointer(rebasing: line[..<firstSpace]))
            {
                self.method = method
                target = String(
                    decoding: UnsafeBufferPointer(rebasing: line[(firstSpace + 1)..<targetEnd]), as: UTF8.self)
                version = try Self.version(UnsafeBufferPointer(rebasing: line[(targetEnd + 1)...]))
                return
            }
        }
        try parseUnusualRequestLine(line)
    }

    /// A line that is not the usual one, to find which error it is, in the order a client would meet them.
    private mutating func parseUnusualRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPError) {
        guard let firstSpace = line.firstIndex(of: .space),
            let secondSpace = line[(firstSpace + 1)...].firstIndex(of: .space),
            !line[(secondSpace + 1)...].contains(.space),
            firstSpace > 0, secondSpace > firstSpace + 1
        else {
            throw .badRequest("the request line is not 'METHOD target HTTP/x.y'", code: "bad_request_line")
        }
        let methodBytes = UnsafeBufferPointer(rebasing: line[..<firstSpace])
        let targetBytes = line[(firstSpace + 1)..<secondSpace]
        let versionBytes = UnsafeBufferPointer(rebasing: line[(secondSpace + 1)...])

        guard let method = Self.method(methodBytes) else {
            throw .badRequest("the method is not a valid token", code: "bad_request_line")
        }
        guard targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .badRequest(
                "the request target has a character that must be percent-encoded", code: "bad_request_line")
        }
        self.method = method
        target = String(decoding: UnsafeBufferPointer(rebasing: targetBytes), as: UTF8.self)
        version = try Self.version(versionBytes)
    }

    private static func method(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPRequest.Method? {
        switch bytes.count {
        case 3 where bytes.elementsEqual("GET".utf8): .get
        case 4 where bytes.elementsEqual("POST".utf8): .post
        case 4 where bytes.elementsEqual("HEAD".utf8): .head
        default:
            bytes.allSatisfy(\.isTokenCharacter) ? HTTPRequest.Method(String(decoding: bytes, as: UTF8.self)) : nil
        }
    }

    private static func version(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPError) -> HTTPVersion {
        guard bytes.count == 8, bytes.prefix(5).elementsEqual("HTTP/".utf8), bytes[6] == .period,
            bytes[5].isDigit, bytes[7].isDigit
        else {
            throw .badRequest("the HTTP version is not 'HTTP/x.y'", code: "bad_request_line")
        }
        let major = Int(bytes[5] - UInt8(ascii: "0"))
        let minor = Int(bytes[7] - UInt8(ascii: "0"))
        guard major == 1 else {
            throw HTTPError(
                .httpVersionNotSupported, code: "http_version_not_supported",
                message: "HTTP/\(major).\(minor) is not supported; use HTTP/1.1")
        }
        // RFC 9110 §6.2: a higher minor version is answered as the highest we implement.
        return minor == 0 ? .http1_0 : .http1_1
    }

    mutating func parseHeaderLine(
        _ line: UnsafeBufferPointer<UInt8>, limits: HTTPServerConfiguration.Limits
    ) throws(HTTPError) {
        headerCount += 1
        guard headerCount <= limits.maxHeaderCount else {
            throw HTTPError(
                .requestHeaderFieldsTooLarge, code: "too_many_headers",
                message: "the request has more than \(limits.maxHeaderCount) header fields")
        }
        guard let first = line.first, first != .space, first != .tab else {
            throw .badRequest("obsolete line folding is not accepted", code: "bad_header")
        }
        guard let colon = line.firstIndex(of: .colon) else {
            throw .badRequest("a header line has no colon", code: "bad_header")
        }
        let nameBytes = UnsafeBufferPointer(rebasing: line[..<colon])
        guard !nameBytes.isEmpty else { throw .badRequest("a header name is empty", code: "bad_header") }
        guard !nameBytes.contains(where: { $0 == .space || $0 == .tab }) else {
            throw .badRequest("a header name contains whitespace", code: "bad_header")
        }
        guard nameBytes.allSatisfy(\.isTokenCharacter) else {
            throw .badRequest("a header name contains an invalid character", code: "bad_header")
        }
        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd, line[valueStart] == .space || line[valueStart] == .tab { valueStart += 1 }
        while valueEnd > valueStart, line[valueEnd - 1] == .space || line[valueEnd - 1] == .tab { valueEnd -= 1 }
        let value = UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd])
        guard value.allSatisfy({ $0 == .tab || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw .badRequest("a header value contains a control character", code: "bad_header")
        }
        let field = HTTPField(name: KnownField.name(nameBytes), parsedValue: value)
        try interpret(field, value)
        headerFields.append(field)
    }

    private mutating func interpret(_ field: HTTPField, _ value: UnsafeBufferPointer<UInt8>) throws(HTTPError) {
        switch field.name {
        case .contentLength:
            guard value.contains(where: \.isDigit) else {
                throw .badRequest("Content-Length is empty", code: "bad_content_length")
            }
            for element in value.split(separator: .comma) {
                let trimmed = element.trimmingOWS
                guard !trimmed.isEmpty, trimmed.allSatisfy(\.isDigit) else {
                    throw .badRequest("Content-Length is not a number", code: "bad_content_length")
                }
                // Longer than 15 digits cannot be under any sane limit; keep the multiplication from overflowing.
                let length = trimmed.count > 15 ? Int.max : trimmed.reduce(0) { $0 * 10 + Int($1 - 48) }
                if let contentLength, contentLength != length {
                    throw .badRequest(
                        "Content-Length is given more than once with different values", code: "bad_content_length")
                }
                contentLength = length
            }
        case .transferEncoding:
            let codingsBefore = transferEncoding.count
            for coding in value.split(separator: .comma) {
                transferEncoding.append(String(decoding: coding.trimmingOWS, as: UTF8.self).lowercased())
            }
            // An empty Transfer-Encoding must not let the request be framed by its Content-Length (RFC 9112 §6.3).
            guard transferEncoding.count > codingsBefore else {
                throw .badRequest("Transfer-Encoding names no transfer coding", code: "bad_transfer_encoding")
            }
        case KnownField.host:
            guard host == nil else { throw .badRequest("the request has more than one Host header", code: "bad_host") }
            host = field.value
        case KnownField.requestID where RequestIDGenerator.isAcceptable(value):
            clientRequestID = field.value
        case .connection:
            for option in value.split(separator: .comma) {
                let token = option.trimmingOWS
                if token.equalsIgnoringCase("close") { connectionClose = true }
                if token.equalsIgnoringCase("keep-alive") { connectionKeepAlive = true }
            }
        case .expect:
            if value.equalsIgnoringCase("100-continue") {
                expectsContinue = true
            } else {
                unsupportedExpectation = String(decoding: value, as: UTF8.self)
            }
        default:
            break
        }
    }

    func finish(limits: HTTPServerConfiguration.Limits) throws(HTTPError) -> HTTPRequestHead {
        if version == .http1_1, host == nil {
            throw .badRequest("an HTTP/1.1 request must have a Host header", code: "missing_host")
        }
        let framing: HTTPRequestHead.Framing
        if !transferEncoding.isEmpty {
            guard version == .http1_1 else {
                throw .badRequest("Transfer-Encoding is not allowed in HTTP/1.0", code: "bad_transfer_encoding")
            }
            guard contentLength == nil else {
                throw .badRequest(
                    "a request must not carry both Content-Length and Transfer-Encoding", code: "bad_transfer_encoding")
            }
            guard transferEncoding.last == "chunked",
                transferEncoding.firstIndex(of: "chunked") == transferEncoding.count - 1
            else {
                throw .badRequest("Transfer-Encoding must end with chunked, once", code: "bad_transfer_encoding")
            }
            guard transferEncoding.count == 1 else {
                throw HTTPError(
                    .notImplemented, code: "transfer_coding_not_supported",
                    message: "only the chunked transfer coding is supported")
            }
            framing = .chunked
        } else if let contentLength, contentLength > 0 {
            guard contentLength <= limits.maxBodyBytes else { throw HTTPRequestParser.bodyTooLarge(limits) }
            framing = .length(contentLength)
        } else {
            framing = .none
        }
        if let unsupportedExpectation {
            throw HTTPError(
                .expectationFailed, code: "expectation_failed",
                message: "the expectation '\(unsupportedExpectation)' is not supported")
        }
        return HTTPRequestHead(
            method: method, target: target, version: version, headerFields: headerFields, authority: host,
            clientRequestID: clientRequestID,
            keepAlive: version == .http1_1 ? !connectionClose : connectionKeepAlive && !connectionClose,
            // RFC 9110 §10.1.1: an HTTP/1.0 client cannot understand 100 Continue.
            expectsContinue: expectsContinue && framing != .none && version == .http1_1, framing: framing)
    }
}

extension UInt8 {
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    static let semicolon = UInt8(ascii: ";")
    static let comma = UInt8(ascii: ",")
    static let period = UInt8(ascii: ".")

    var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }

    /// `tchar` of RFC 9110 §5.6.2.
    var isTokenCharacter: Bool {
        self < 0x80 && Self.tokenCharacters & (1 << UInt128(self)) != 0
    }

    /// Bit `c` is set for each token character `c` (`!#$%&'*+-.^_`|~`, digits, letters): one shift and mask per
    /// byte, as header names are checked byte by byte on every request. A test compares it with the RFC's list.
    private static let tokenCharacters: UInt128 = 0x57ff_ffff_c7ff_fffe_03ff_6cfa_0000_0000

    var lowercasedASCII: UInt8 {
        self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") ? self | 0x20 : self
    }
}

extension Collection<UInt8> {
    /// Without the optional whitespace (space, tab) around it.
    var trimmingOWS: SubSequence {
        let isOWS = { (byte: UInt8) in byte == .space || byte == .tab }
        guard let first = firstIndex(where: { !isOWS($0) }) else { return self[endIndex...] }
        var last = first
        var index = first
        while index != endIndex {
            if !isOWS(self[index]) { last = index }
            index = self.index(after: index)
        }
        return self[first...last]
    }

    func equalsIgnoringCase(_ other: some Collection<UInt8>) -> Bool {
        count == other.count && zip(self, other).allSatisfy { $0.lowercasedASCII == $1.lowercasedASCII }
    }

    func equalsIgnoringCase(_ other: String) -> Bool {
        equalsIgnoringCase(other.utf8)
    }
}
