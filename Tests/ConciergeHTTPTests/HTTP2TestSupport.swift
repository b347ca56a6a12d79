// A raw HTTP/2 client for the frame-level tests: it writes whatever frames a test asks for, well-formed or
// not, and reads the server's frames one by one. Header blocks are encoded and decoded with libnghttp2's
// own HPACK deflater and inflater, so the tests check the server's framing without trusting our own HPACK.

import CNghttp2
import ConciergeTestSupport
import Foundation
import Testing

/// HTTP/2 frame types (RFC 9113 §6).
enum FrameType: UInt8 {
    case data = 0
    case headers, priority, rstStream, settings, pushPromise, ping, goAway, windowUpdate, continuation
}

/// HTTP/2 error codes (RFC 9113 §7).
enum H2Error: UInt32 {
    case noError = 0
    case protocolError, internalError, flowControlError, settingsTimeout, streamClosed, frameSizeError
    case refusedStream, cancel, compressionError, connectError, enhanceYourCalm, inadequateSecurity, http11Required
}

enum FrameFlag {
    static let endStream: UInt8 = 0x1
    static let ack: UInt8 = 0x1
    static let endHeaders: UInt8 = 0x4
}

/// SETTINGS identifiers (RFC 9113 §6.5.2).
enum SettingID: UInt16 {
    case headerTableSize = 1
    case enablePush, maxConcurrentStreams, initialWindowSize, maxFrameSize, maxHeaderListSize
}

struct HTTP2Frame: CustomStringConvertible {
    var type: UInt8
    var flags: UInt8
    var stream: UInt32
    var payload: [UInt8]
    /// The decoded header list, for HEADERS frames.
    var fields: [(name: String, value: String)] = []

    init(_ type: FrameType, flags: UInt8 = 0, stream: UInt32 = 0, payload: [UInt8] = []) {
        self.init(rawType: type.rawValue, flags: flags, stream: stream, payload: payload)
    }

    init(rawType: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8]) {
        type = rawType
        self.flags = flags
        self.stream = stream
        self.payload = payload
    }

    var kind: FrameType? { FrameType(rawValue: type) }
    func has(_ flag: UInt8) -> Bool { flags & flag != 0 }

    var bytes: [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags]
            + bigEndian(stream) + payload
    }

    /// GOAWAY's last stream id and error code; RST_STREAM's error code (last stream 0).
    var errorCode: H2Error? {
        switch kind {
        case .goAway where payload.count >= 8: H2Error(rawValue: readUInt32(payload, at: 4))
        case .rstStream where payload.count == 4: H2Error(rawValue: readUInt32(payload, at: 0))
        default: nil
        }
    }

    var lastStreamID: UInt32? { kind == .goAway && payload.count >= 8 ? readUInt32(payload, at: 0) & 0x7FFF_FFFF : nil }

    /// SETTINGS entries in order.
    var settings: [(id: UInt16, value: UInt32)] {
        stride(from: 0, to: payload.count - payload.count % 6, by: 6).map {
            (UInt16(payload[$0]) << 8 | UInt16(payload[$0 + 1]), readUInt32(payload, at: $0 + 2))
        }
    }

    func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    var description: String {
        "\(kind.map { "\($0)" } ?? "type \(type)") flags=\(flags) stream=\(stream) length=\(payload.count)"
            + (errorCode.map { " error=\($0)" } ?? "") + (fields.isEmpty ? "" : " \(fields)")
    }

    static func settings(_ entries: [(SettingID, UInt32)], ack: Bool = false) -> HTTP2Frame {
        HTTP2Frame(
            .settings, flags: ack ? FrameFlag.ack : 0,
            payload: entries.flatMap { [UInt8($0.0.rawValue >> 8), UInt8($0.0.rawValue & 0xFF)] + bigEndian($0.1) })
    }

    static func windowUpdate(stream: UInt32, increment: UInt32) -> HTTP2Frame {
        HTTP2Frame(.windowUpdate, stream: stream, payload: bigEndian(increment))
    }

    static func rstStream(_ stream: UInt32, _ error: H2Error) -> HTTP2Frame {
        HTTP2Frame(.rstStream, stream: stream, payload: bigEndian(error.rawValue))
    }

    static func goAway(lastStream: UInt32, _ error: H2Error) -> HTTP2Frame {
        HTTP2Frame(.goAway, payload: bigEndian(lastStream) + bigEndian(error.rawValue))
    }
}

func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
}

/// One response as the raw client saw it.
struct H2Response {
    var status: Int
    var fields: [(name: String, value: String)]
    var body: [UInt8]
    /// The RST_STREAM that followed the response, if one did.
    var reset: H2Error?

    func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }
    var bodyString: String { String(decoding: body, as: UTF8.self) }
    var errorCode: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let error = object["error"] as? [String: Any]
        else { return nil }
        return error["code"] as? String
    }
}

/// One HTTP/2 connection over a `RawClient` socket, speaking prior knowledge.
final class HTTP2TestClient {
    let socket: RawClient
    /// Every frame read so far, in order.
    private(set) var received: [HTTP2Frame] = []
    private var deflater: OpaquePointer?
    private var inflater: OpaquePointer?
    /// A header block split over HEADERS and CONTINUATION frames, until END_HEADERS.
    private var pendingBlock: (frame: HTTP2Frame, block: [UInt8])?

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// Connects, and (unless `preface` is false) sends the client preface with `settings`.
    init(port: Int, settings: [(SettingID, UInt32)] = [], preface: Bool = true) throws {
        socket = try RawClient(port: port)
        nghttp2_hd_deflate_new(&deflater, 4096)
        nghttp2_hd_inflate_new(&inflater)
        if preface { try socket.send(Self.preface + HTTP2Frame.settings(settings).bytes) }
    }

    deinit {
        nghttp2_hd_deflate_del(deflater)
        nghttp2_hd_inflate_del(inflater)
    }

    var isClosed: Bool { socket.peerClosed }

    func send(_ frame: HTTP2Frame) throws { try socket.send(frame.bytes) }

    /// HPACK-encodes `fields` (pseudo-fields first) with nghttp2's deflater.
    func headerBlock(_ fields: [(String, String)]) -> [UInt8] {
        var bytes = fields.flatMap { Array($0.0.utf8) + Array($0.1.utf8) }
        return bytes.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            var nva = fields.map { field in
                let name = field.0.utf8.count
                let value = field.1.utf8.count
                defer { offset += name + value }
                return nghttp2_nv(
                    name: buffer.baseAddress! + offset, value: buffer.baseAddress! + offset + name, namelen: name,
                    valuelen: value, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            let bound = nghttp2_hd_deflate_bound(deflater, &nva, nva.count)
            var block = [UInt8](repeating: 0, count: bound)
            let length = nghttp2_hd_deflate_hd(deflater, &block, block.count, &nva, nva.count)
            precondition(length >= 0, "HPACK deflate failed: \(length)")
            return Array(block.prefix(length))
        }
    }

    /// Sends a request's HEADERS (END_HEADERS always).
    func sendHeaders(stream: UInt32, _ fields: [(String, String)], endStream: Bool) throws {
        try send(
            HTTP2Frame(
                .headers, flags: FrameFlag.endHeaders | (endStream ? FrameFlag.endStream : 0), stream: stream,
                payload: headerBlock(fields)))
    }

    static func requestFields(
        _ method: String = "GET", _ path: String, extra: [(String, String)] = []
    ) -> [(String, String)] {
        [(":method", method), (":scheme", "http"), (":authority", "127.0.0.1"), (":path", path)] + extra
    }

    func sendGet(stream: UInt32, _ path: String, extra: [(String, String)] = []) throws {
        try sendHeaders(stream: stream, Self.requestFields("GET", path, extra: extra), endStream: true)
    }

    func sendData(stream: UInt32, _ bytes: [UInt8], endStream: Bool) throws {
        try send(HTTP2Frame(.data, flags: endStream ? FrameFlag.endStream : 0, stream: stream, payload: bytes))
    }

    /// Reads the next frame, acknowledging the server's SETTINGS as a client must. Nil when the server
    /// closed the connection or nothing came within `timeout`.
    func nextFrame(timeout: Double = 5) throws -> HTTP2Frame? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            guard try socket.waitForBytes(9, timeout: max(0.01, deadline.timeIntervalSinceNow)) else { return nil }
            let header = socket.unread.prefix(9)
            let length =
                Int(header[header.startIndex]) << 16 | Int(header[header.startIndex + 1]) << 8
                | Int(header[header.startIndex + 2])
            guard try socket.waitForBytes(9 + length, timeout: max(0.01, deadline.timeIntervalSinceNow)) else {
                return nil
            }
            let bytes = socket.take(9 + length)
            var frame = HTTP2Frame(
                rawType: bytes[3], flags: bytes[4], stream: readUInt32(bytes, at: 5) & 0x7FFF_FFFF,
                payload: Array(bytes[9...]))
            if frame.kind == .settings, !frame.has(FrameFlag.ack) {
                try send(HTTP2Frame.settings([], ack: true))
            }
            if frame.kind == .headers || frame.kind == .continuation {
                let block = (pendingBlock?.block ?? []) + frame.payload
                let first = pendingBlock?.frame ?? frame
                guard frame.has(FrameFlag.endHeaders) else {
                    pendingBlock = (first, block)
                    continue
                }
                pendingBlock = nil
                frame = first
                frame.fields = inflate(block)
            }
            received.append(frame)
            return frame
        }
    }

    /// Reads frames until one matches; nil when the connection closed or `timeout` passed first.
    func waitFor(timeout: Double = 5, _ matches: (HTTP2Frame) -> Bool) throws -> HTTP2Frame? {
        let deadline = Date().addingTimeInterval(timeout)
        while let frame = try nextFrame(timeout: max(0.01, deadline.timeIntervalSinceNow)) {
            if matches(frame) { return frame }
        }
        return nil
    }

    /// The GOAWAY already read (nghttp2 sends it ahead of pending DATA), or the next one.
    func waitForGoAway(timeout: Double = 5) throws -> HTTP2Frame? {
        try received.first { $0.kind == .goAway } ?? waitFor(timeout: timeout) { $0.kind == .goAway }
    }

    /// Reads until stream `stream` ends (END_STREAM, or RST_STREAM), then assembles its response from every
    /// frame read so far. `followedByReset`: also wait for the RST_STREAM a refusal sends after its response.
    func response(on stream: UInt32, followedByReset: Bool = false, timeout: Double = 5) throws -> H2Response {
        let ended = { (frame: HTTP2Frame) in
            frame.stream == stream
                && (frame.kind == .rstStream
                    || (frame.has(FrameFlag.endStream)
                        && (frame.kind == .data || frame.kind == .headers)))
        }
        let alreadyEnded = received.contains(where: ended)
        guard try alreadyEnded || waitFor(timeout: timeout, ended) != nil else {
            throw ClientError(
                description:
                    "stream \(stream) did not end within \(timeout) s; frames: \(received), closed: \(isClosed)")
        }
        if followedByReset, !received.contains(where: { $0.stream == stream && $0.kind == .rstStream }) {
            _ = try waitFor(timeout: timeout) { $0.stream == stream && $0.kind == .rstStream }
        }
        let frames = received.filter { $0.stream == stream }
        guard let head = frames.first(where: { $0.kind == .headers }),
            let status = head.field(":status").flatMap(Int.init)
        else {
            throw ClientError(description: "stream \(stream) has no response head; frames: \(frames)")
        }
        return H2Response(
            status: status, fields: head.fields, body: frames.filter { $0.kind == .data }.flatMap(\.payload),
            reset: frames.first { $0.kind == .rstStream }?.errorCode)
    }

    /// Decodes a header block with nghttp2's inflater.
    private func inflate(_ block: [UInt8]) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        block.withUnsafeBufferPointer { input in
            var offset = 0
            while true {
                var field = nghttp2_nv()
                var flags: Int32 = 0
                let consumed = nghttp2_hd_inflate_hd2(
                    inflater, &field, &flags, input.baseAddress.map { $0 + offset }, input.count - offset, 1)
                precondition(consumed >= 0, "the server sent a header block nghttp2 cannot decode: \(consumed)")
                offset += consumed
                if flags & Int32(NGHTTP2_HD_INFLATE_EMIT.rawValue) != 0 {
                    fields.append(
                        (
                            String(
                                decoding: UnsafeBufferPointer(start: field.name, count: field.namelen), as: UTF8.self),
                            String(
                                decoding: UnsafeBufferPointer(start: field.value, count: field.valuelen), as: UTF8.self)
                        ))
                }
                if flags & Int32(NGHTTP2_HD_INFLATE_FINAL.rawValue) != 0 {
                    nghttp2_hd_inflate_end_headers(inflater)
                    return
                }
                if consumed == 0, flags & Int32(NGHTTP2_HD_INFLATE_EMIT.rawValue) == 0 { return }
            }
        }
        return fields
    }
}

/// Runs a command-line tool from /usr/bin, recording a clear issue when it is missing.
func requireTool(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    let path = "/usr/bin/" + name
    guard FileManager.default.isExecutableFile(atPath: path) else {
        Issue.record("\(path) is missing; `make deps` installs it", sourceLocation: sourceLocation)
        return nil
    }
    return path
}
