// HTTP/2 at the frame level, from a raw socket: what h2spec would check, which is not packaged for Debian
// and cannot be fetched here. SETTINGS, PING, flow control, RST_STREAM, GOAWAY, malformed requests, broken
// HPACK and malformed frames; each bad connection is closed (or its stream reset) while others go on.

import ConciergeTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import ConciergeHTTP

@Suite("HTTP/2: frames")
struct HTTP2FrameTests {
    /// An HTTP/2 and an HTTP/1.1 connection opened before a test's bad one, which must still be answered.
    struct Bystanders {
        let http2: HTTP2TestClient
        let http1: RawClient

        init(port: Int) throws {
            http2 = try HTTP2TestClient(port: port)
            try http2.sendGet(stream: 1, "/health")
            #expect(try http2.response(on: 1).status == 200)
            http1 = try RawClient(port: port)
            #expect(try http1.exchange(getRequest("/health")).status == 200)
        }

        func stillAnswered(sourceLocation: SourceLocation = #_sourceLocation) throws {
            try http2.sendGet(stream: 3, "/health")
            #expect(try http2.response(on: 3).status == 200, sourceLocation: sourceLocation)
            #expect(try http1.exchange(getRequest("/health")).status == 200, sourceLocation: sourceLocation)
        }
    }

    /// Reads DATA frames until `limit` bytes of them have come (or no more come); returns how many did.
    static func dataBytes(from client: HTTP2TestClient, upTo limit: Int) throws -> Int {
        var total = client.received.filter { $0.kind == .data }.map(\.payload.count).reduce(0, +)
        while total < limit, let frame = try client.waitFor(timeout: 5, { $0.kind == .data }) {
            total += frame.payload.count
        }
        return total
    }

    @Test func settingsComeFirstAndAreAcknowledged() async throws {
        try await withTestServer { server in
            let client = try HTTP2TestClient(port: server.port, settings: [(.initialWindowSize, 100_000)])
            let first = try client.nextFrame()
            #expect(first?.kind == .settings && first?.has(FrameFlag.ack) == false, "\(String(describing: first))")
            let values = Dictionary(uniqueKeysWithValues: (first?.settings ?? []).map { ($0.id, $0.value) })
            #expect(values[SettingID.maxConcurrentStreams.rawValue] == 100, "\(values)")
            #expect(values[SettingID.maxHeaderListSize.rawValue] == UInt32(32 * 1024), "\(values)")
            let ack = try client.waitFor { $0.kind == .settings && $0.has(FrameFlag.ack) }
            #expect(ack?.payload.isEmpty == true)
        }
    }

    @Test func pingIsEchoed() async throws {
        try await withTestServer { server in
            let client = try HTTP2TestClient(port: server.port)
            let payload: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
            try client.send(HTTP2Frame(.ping, payload: payload))
            let pong = try client.waitFor { $0.kind == .ping }
            #expect(pong?.has(FrameFlag.ack) == true)
            #expect(pong?.payload == payload)
        }
    }

    /// The client's stream window caps what the server sends until a WINDOW_UPDATE; then the rest comes.
    @Test func flowControlFollowsTheStreamWindow() async throws {
        try await withTestServer { server in
            let client = try HTTP2TestClient(port: server.port, settings: [(.initialWindowSize, 1000)])
            try client.sendGet(stream: 1, "/big?kb=100")
            let head = try client.waitFor { $0.kind == .headers && $0.stream == 1 }
            #expect(head?.field(":status") == "200")
            #expect(head?.field("content-length") == "102400")
            // The window's worth arrives, then nothing more until our WINDOW_UPDATE.
            #expect(try Self.dataBytes(from: client, upTo: 1000) == 1000)
            #expect(try client.waitFor(timeout: 0.3) { $0.kind == .data } == nil, "data past the window")
            try client.send(HTTP2Frame.windowUpdate(stream: 1, increment: 200_000))
            try client.send(HTTP2Frame.windowUpdate(stream: 0, increment: 200_000))
            let response = try client.response(on: 1)
            #expect(response.body == HTTP2Tests.bigBody(kilobytes: 100))
        }
    }

    /// Without a connection-level WINDOW_UPDATE, the server stops at the 65,535-byte connection window.
    @Test func flowControlFollowsTheConnectionWindow() async throws {
        try await withTestServer { server in
            let client = try HTTP2TestClient(port: server.port, settings: [(.initialWindowSize, 1 << 20)])
            try client.sendGet(stream: 1, "/big?kb=100")
            #expect(try Self.dataBytes(from: client, upTo: 65_535) == 65_535)
            #expect(try client.waitFor(timeout: 0.3) { $0.kind == .data } == nil, "data past the window")
            try client.send(HTTP2Frame.windowUpdate(stream: 0, increment: 100_000))
            #expect(try client.response(on: 1).body.count == 100 * 1024)
        }
    }

    @Test func resetByTheClientAbandonsTheRequest() async throws {
        try await withTestServer { server in
            let client = try HTTP2TestClient(port: server.port)
            try client.sendHeaders(stream: 1, HTTP2TestClient.requestFields("POST", "/echo"), endStream: false)
            try client.sendData(stream: 1, Array("half".utf8), endStream: false)
            #expect(poll(until: 2) { server.statistics.snapshot().inFlightRequests == 1 })
            try client.send(HTTP2Frame.rstStream(1, .cancel))
            #expect(poll(until: 2) { server.statistics.snapshot().inFlightRequests == 0 })
            try client.sendGet(stream: 3, "/health")
            #expect(try client.response(on: 3).status == 200)
            #expect(!client.received.contains { $0.stream == 1 }, "nothing answers a reset stream: \(client.received)")

            // A client that goes away with a stream half sent takes the stream with it.
            try client.sendHeaders(stream: 5, HTTP2TestClient.requestFields("POST", "/echo"), endStream: false)
            #expect(poll(until: 2) { server.statistics.snapshot().inFlightRequests == 1 })
            client.socket.close()
            #expect(poll(until: 2) { server.statistics.snapshot().inFlightRequests == 0 })
        }
    }

    @Test func goAwayFromTheClientClosesTheConnection() async throws {
        try await withTestServer { server in
            let client = try HTTP2TestClient(port: server.port)
            try client.sendGet(stream: 1, "/health")
            #expect(try client.response(on: 1).status == 200)
            try client.send(HTTP2Frame.goAway(lastStream: 0, .noError))
            #expect(try client.socket.waitForClose())
        }
    }

    /// Requests nghttp2 finds malformed (RFC 9113 §8.1.1): that stream is reset, the connection goes on.
    @Test(arguments: [
        ("upper-case field name", [("X-Upper", "1")]),
        ("connection-specific field", [("connection", "keep-alive")]),
        ("content-length not matching the body", [("content-length", "10")]),
    ])
    func malformedRequestResetsItsStreamOnly(_ name: String, _ extra: [(String, String)]) async throws {
        try await withTestServer { server in
            let client = try HTTP2TestClient(port: server.port)
            try client.sendHeaders(
                stream: 1, HTTP2TestClient.requestFields("POST", "/echo", extra: extra), endStream: false)
            try client.sendData(stream: 1, Array("five!".utf8), endStream: true)
            let reset = try client.waitFor { $0.kind == .rstStream && $0.stream == 1 }
            #expect(reset?.errorCode == .protocolError, "\(name): \(client.received)")
            try client.sendGet(stream: 3, "/health")
            #expect(try client.response(on: 3).status == 200, "\(name)")
        }
    }

    @Test func missingPseudoHeaderResetsTheStream() async throws {
        try await withTestServer { server in
            let client = try HTTP2TestClient(port: server.port)
            try client.sendHeaders(stream: 1, [(":method", "GET"), (":scheme", "http")], endStream: true)
            #expect(try client.waitFor { $0.kind == .rstStream && $0.stream == 1 }?.errorCode == .protocolError)
        }
    }

    /// Header blocks HPACK cannot decode: a connection error, GOAWAY(COMPRESSION_ERROR), for that connection only.
    @Test(
        arguments: [
            ("indexed field 0", [0x80]),
            ("index past both tables", [0xBF]),
            ("table size update to 8,192, past SETTINGS_HEADER_TABLE_SIZE", [0x3F, 0xE1, 0x3F]),
            ("literal whose length runs past the block", [0x00, 0x85, 0x61]),
        ] as [(String, [UInt8])])
    func brokenHPACKIsACompressionError(_ name: String, _ block: [UInt8]) async throws {
        try await withTestServer { server in
            let bystanders = try Bystanders(port: server.port)
            let client = try HTTP2TestClient(port: server.port)
            try client.send(
                HTTP2Frame(.headers, flags: FrameFlag.endHeaders | FrameFlag.endStream, stream: 1, payload: block))
            let goAway = try client.waitForGoAway()
            #expect(goAway?.errorCode == .compressionError, "\(name): \(client.received)")
            #expect(try client.socket.waitForClose(), "\(name)")
            try bystanders.stillAnswered()
        }
    }

    /// Frames that break the framing rules: GOAWAY with the error RFC 9113 names, then the connection
    /// closes; other connections are untouched.
    @Test(arguments: [
        ("DATA on stream 0", HTTP2Frame(.data, stream: 0, payload: [1]), H2Error.protocolError),
        (
            "HEADERS on an even (server) stream", HTTP2Frame(.headers, flags: FrameFlag.endHeaders, stream: 2),
            .protocolError
        ),
        ("DATA on an idle stream", HTTP2Frame(.data, stream: 9, payload: [1]), .protocolError),
        (
            "a frame past SETTINGS_MAX_FRAME_SIZE",
            HTTP2Frame(.data, stream: 1, payload: [UInt8](repeating: 0, count: 16_385)), .frameSizeError
        ),
        ("SETTINGS of 5 bytes", HTTP2Frame(.settings, payload: [0, 3, 0, 0, 0]), .frameSizeError),
        (
            "SETTINGS ACK with a payload", HTTP2Frame(.settings, flags: FrameFlag.ack, payload: [0, 3, 0, 0, 0, 1]),
            .frameSizeError
        ),
        ("SETTINGS_ENABLE_PUSH of 2", HTTP2Frame.settings([(.enablePush, 2)]), .protocolError),
        (
            "SETTINGS_INITIAL_WINDOW_SIZE past 2^31-1", HTTP2Frame.settings([(.initialWindowSize, 1 << 31)]),
            .flowControlError
        ),
        ("SETTINGS_MAX_FRAME_SIZE under 16,384", HTTP2Frame.settings([(.maxFrameSize, 100)]), .protocolError),
        ("PING of 7 bytes", HTTP2Frame(.ping, payload: [1, 2, 3, 4, 5, 6, 7]), .frameSizeError),
        ("WINDOW_UPDATE of 0 on the connection", HTTP2Frame.windowUpdate(stream: 0, increment: 0), .protocolError),
        (
            "CONTINUATION without HEADERS", HTTP2Frame(.continuation, flags: FrameFlag.endHeaders, stream: 1),
            .protocolError
        ),
        ("RST_STREAM on an idle stream", HTTP2Frame.rstStream(5, .cancel), .protocolError),
    ])
    func malformedFrameClosesOnlyItsConnection(_ name: String, _ frame: HTTP2Frame, _ expected: H2Error) async throws {
        try await withTestServer { server in
            let bystanders = try Bystanders(port: server.port)
            let client = try HTTP2TestClient(port: server.port)
            try client.send(frame)
            let goAway = try client.waitForGoAway()
            #expect(goAway?.errorCode == expected, "\(name): \(client.received)")
            #expect(try client.socket.waitForClose(), "\(name)")
            try bystanders.stillAnswered()
        }
    }

    @Test func garbageInsteadOfFramesClosesTheConnection() async throws {
        try await withTestServer { server in
            let bystanders = try Bystanders(port: server.port)
            let client = try HTTP2TestClient(port: server.port, preface: false)
            // The preface, then no SETTINGS frame but text: the first frame must be SETTINGS.
            try client.socket.send(HTTP2TestClient.preface + Array("this is not a frame at all\r\n".utf8))
            #expect(try client.socket.waitForClose())
            try bystanders.stillAnswered()
        }
    }
}
