// HTTP/2 end to end with real clients: curl (prior knowledge and Upgrade: h2c), nghttp with many streams on
// one connection, h2load; the same routes as HTTP/1.1; limits refused the HTTP/2 way; graceful shutdown.

import ConciergeTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import ConciergeHTTP

@Suite("HTTP/2: clients, routes, limits, shutdown")
struct HTTP2Tests {
    static func url(_ server: HTTPServer, _ path: String) -> String { "http://127.0.0.1:\(server.port)\(path)" }

    /// `kb` KiB of the pattern `/big` answers with.
    static func bigBody(kilobytes: Int) -> [UInt8] {
        (0..<(kilobytes * 1024)).map { UInt8(truncatingIfNeeded: $0 % 251) }
    }

    @Test func curlWithPriorKnowledge() async throws {
        try await withTestServer({ $0.responseHeaders = [HTTPField.Name("X-Concierge-Color")!: "blue"] }) { server in
            let result = try runCurl([
                "-sS", "-i", "--http2-prior-knowledge", "-H", "X-Request-Id: h2-prior", Self.url(server, "/health"),
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let head = curlHeads(result.stdout).first ?? ""
            #expect(head.hasPrefix("HTTP/2 200"), "\(result.stdout)")
            for line in [
                "server: concierge", "content-length: 15", "x-request-id: h2-prior", "x-concierge-color: blue",
            ] {
                #expect(head.contains("\r\n" + line), "missing \(line): \(head)")
            }
            #expect(head.contains("\r\ndate: "))
            #expect(ServerCurlTests.lastBody(result.stdout) == #"{"status":"ok"}"#)
        }
    }

    /// curl holds a body back for `expect: 100-continue` until the 100 or its timeout, set long here, so a
    /// quick answer means the server sent the interim response.
    @Test func expectContinueGetsAnInterimResponse() async throws {
        try await withTestServer { server in
            let started = ContinuousClock.now
            let result = try runCurl([
                "-sS", "-v", "--http2-prior-knowledge", "-H", "Expect: 100-continue", "--expect100-timeout", "10",
                "--data-binary", "guest=Ada", Self.url(server, "/echo"),
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "guest=Ada")
            #expect(result.stderr.contains("< HTTP/2 100"), "\(result.stderr)")
            #expect(ContinuousClock.now - started < .seconds(5))

            // Not with curl: curl 7.88 fails (exit 92, no output) on the RST_STREAM(NO_ERROR) that follows an
            // answer sent before the request's end, which RFC 9113 §8.1 says a client must not discard.
            let client = try HTTP2TestClient(port: server.port)
            try client.sendHeaders(
                stream: 1, HTTP2TestClient.requestFields("POST", "/echo", extra: [("expect", "a-pony")]),
                endStream: false)
            let refused = try client.response(on: 1, followedByReset: true)
            #expect(refused.status == 417)
            #expect(refused.errorCode == "expectation_failed")
            #expect(refused.reset == .noError)
        }
    }

    @Test func curlUpgradesThroughH2CAndKeepsTheConnection() async throws {
        try await withTestServer { server in
            let result = try runCurl([
                "-sS", "-i", "--http2", "-w", "\n%{http_version} %{num_connects}\n",
                Self.url(server, "/query?room=12&k=2"), Self.url(server, "/health"),
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let heads = curlHeads(result.stdout)
            #expect(heads.first?.hasPrefix("HTTP/1.1 101 Switching Protocols") == true, "\(result.stdout)")
            #expect(heads.dropFirst().allSatisfy { $0.hasPrefix("HTTP/2 200") }, "\(result.stdout)")
            #expect(result.stdout.contains(#"[["room","12"],["k","2"]]"# + "\n2 1\n"))
            #expect(result.stdout.hasSuffix(#"{"status":"ok"}"# + "\n2 0\n"), "\(result.stdout)")
            #expect(server.statistics.snapshot().acceptedConnections == 1)
        }
    }

    @Test func sameRoutesAndErrorsAsHTTP1() async throws {
        try await withTestServer { server in
            func curl(_ arguments: String...) throws -> (head: String, body: String) {
                let result = try runCurl(["-sS", "-i", "--http2-prior-knowledge"] + arguments)
                #expect(result.status == 0, "\(result.stderr)")
                return (curlHeads(result.stdout).last ?? "", ServerCurlTests.lastBody(result.stdout))
            }
            let echo = try curl("--data-binary", "guest=Ada&room=12\nline two", Self.url(server, "/echo"))
            #expect(echo.head.hasPrefix("HTTP/2 200"))
            #expect(echo.body == "guest=Ada&room=12\nline two")

            let query = try curl(Self.url(server, "/query?q=caf%C3%A9+au+lait&k=1&k=2"))
            #expect(query.body == #"[["q","café au lait"],["k","1"],["k","2"]]"#)

            let head = try curl("-I", Self.url(server, "/health"))
            #expect(head.head.hasPrefix("HTTP/2 200"))
            #expect(head.head.contains("\r\ncontent-length: 15"))
            #expect(head.body.isEmpty)

            let missing = try curl(Self.url(server, "/nowhere"))
            #expect(missing.head.hasPrefix("HTTP/2 404"))
            #expect(missing.body.contains(#""code":"not_found""#))

            let wrongMethod = try curl("-X", "PUT", Self.url(server, "/health"))
            #expect(wrongMethod.head.hasPrefix("HTTP/2 405"))
            #expect(wrongMethod.head.contains("\r\nallow: GET, HEAD"), "\(wrongMethod.head)")

            let conflict = try curl(Self.url(server, "/conflict"))
            #expect(conflict.head.hasPrefix("HTTP/2 409"))
            #expect(conflict.head.contains("\r\nx-hint: try-13"))
            #expect(conflict.body.contains(#""code":"already_booked""#))

            let failure = try curl(Self.url(server, "/fail"))
            #expect(failure.head.hasPrefix("HTTP/2 500"))
            #expect(failure.body.contains(#""code":"internal_error""#))
        }
    }

    @Test func nghttpManyStreamsOnOneConnection() async throws {
        guard let nghttp = requireTool("nghttp") else { return }
        try await withTestServer { server in
            let result = try runProcess(nghttp, ["-n", "-s", "-m", "100", Self.url(server, "/health")], timeout: 30)
            #expect(result.status == 0, "\(result.stderr)")
            // -s prints one line per stream: id, end, start, process time, status, size, path.
            let rows = result.stdout.split(separator: "\n").map { $0.split(separator: " ") }.filter {
                $0.last == "/health"
            }
            #expect(rows.count == 100, "\(result.stdout)")
            #expect(rows.allSatisfy { $0.count == 7 && $0[4] == "200" && $0[5] == "15" }, "\(result.stdout)")
            #expect(Set(rows.map { $0[0] }).count == 100, "one stream per request")
            let snapshot = server.statistics.snapshot()
            #expect(snapshot.acceptedConnections == 1)
            #expect(snapshot.requests.first { $0.route == "/health" }?.count == 100)
            #expect(poll(until: 2) { server.statistics.snapshot().inFlightRequests == 0 })
        }
    }

    /// Four 300 KiB answers at once: far past the 64 KiB windows nghttp starts with, so they arrive only
    /// through its WINDOW_UPDATEs, interleaved on one connection.
    @Test func largeResponsesFlowThroughWindowUpdates() async throws {
        guard let nghttp = requireTool("nghttp") else { return }
        try await withTestServer { server in
            let result = try runProcess(nghttp, ["-n", "-s", "-m", "4", Self.url(server, "/big?kb=300")], timeout: 30)
            #expect(result.status == 0, "\(result.stderr)")
            let rows = result.stdout.split(separator: "\n").map { $0.split(separator: " ") }
                .filter { $0.last == "/big?kb=300" }
            #expect(rows.count == 4, "\(result.stdout)")
            #expect(rows.allSatisfy { $0[4] == "200" && $0[5] == "300K" }, "\(result.stdout)")

            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "concierge-big-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: file) }
            let curl = try runCurl(["-sS", "--http2-prior-knowledge", "-o", file.path, Self.url(server, "/big?kb=300")])
            #expect(curl.status == 0, "\(curl.stderr)")
            #expect(Array(try Data(contentsOf: file)) == Self.bigBody(kilobytes: 300))
        }
    }

    @Test func h2loadBriefly() async throws {
        guard let h2load = requireTool("h2load") else { return }
        try await withTestServer { server in
            let result = try runProcess(
                h2load, ["-n", "2000", "-c", "4", "-m", "32", Self.url(server, "/health")], timeout: 60)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("Application protocol: h2c"), "\(result.stdout)")
            #expect(result.stdout.contains("2000 succeeded, 0 failed, 0 errored"), "\(result.stdout)")
            #expect(result.stdout.contains("status codes: 2000 2xx"), "\(result.stdout)")
        }
    }

    @Test func upgradeWithRawSocketAndBadSettingsStaysHTTP1() async throws {
        try await withTestServer { server in
            let upgrade = { (settings: String) in
                getRequest(
                    "/health",
                    headers: ["Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c", "HTTP2-Settings: \(settings)"])
            }
            // Not base64url: the RFC says to answer in HTTP/1.1 as if no upgrade was asked.
            let refused = try RawClient(port: server.port)
            let plain = try refused.exchange(upgrade("not*base64"))
            #expect(plain.status == 200)
            #expect(plain.version == "HTTP/1.1")

            // curl's usual settings: 100 streams, a 10 MiB window, no push.
            let client = try HTTP2TestClient(port: server.port, preface: false)
            try client.socket.send(upgrade("AAMAAABkAAQAoAAAAAIAAAAA"))
            let switching = try client.socket.readResponse()
            #expect(switching.status == 101)
            #expect(switching.header("Upgrade") == "h2c")
            try client.socket.send(HTTP2TestClient.preface + HTTP2Frame.settings([]).bytes)
            let response = try client.response(on: 1)
            #expect(response.status == 200)
            #expect(response.bodyString == #"{"status":"ok"}"#)
            try client.sendGet(stream: 3, "/query?after=upgrade")
            #expect(try client.response(on: 3).bodyString == #"[["after","upgrade"]]"#)
        }
    }

    @Test func prefaceArrivingByteByByte() async throws {
        try await withTestServer { server in
            let client = try HTTP2TestClient(port: server.port, preface: false)
            for byte in HTTP2TestClient.preface + HTTP2Frame.settings([]).bytes { try client.socket.send([byte]) }
            try client.sendGet(stream: 1, "/health")
            #expect(try client.response(on: 1).status == 200)
        }
    }

    @Test func partOfAPrefaceThenSilenceIsClosed() async throws {
        try await withTestServer({ $0.timeouts.header = .milliseconds(300) }) { server in
            let client = try RawClient(port: server.port)
            try client.send("PRI * HTTP/2.0\r\n")
            #expect(try client.waitForClose(timeout: 3))
            #expect(client.unread.isEmpty, "nothing to answer: \(client.unread)")
        }
    }

    // MARK: Limits

    @Test func headerListTooLargeGets431AndTheConnectionGoesOn() async throws {
        try await withTestServer({ $0.limits.maxHeaderBytes = 4096 }) { server in
            let client = try HTTP2TestClient(port: server.port)
            let settings = try client.waitFor { $0.kind == .settings && !$0.has(FrameFlag.ack) }
            #expect(
                settings?.settings.contains { $0.id == SettingID.maxHeaderListSize.rawValue && $0.value == 4096 }
                    == true)
            try client.sendGet(stream: 1, "/health", extra: [("x-big", String(repeating: "v", count: 5000))])
            let response = try client.response(on: 1)
            #expect(response.status == 431)
            #expect(response.errorCode == "headers_too_large")
            #expect(response.field("server") == "concierge")
            try client.sendGet(stream: 3, "/health")
            #expect(try client.response(on: 3).status == 200)
        }
    }

    @Test func tooManyHeadersGets431() async throws {
        try await withTestServer { server in
            let client = try HTTP2TestClient(port: server.port)
            try client.sendGet(stream: 1, "/health", extra: (0..<101).map { ("x-h\($0)", "\($0)") })
            let response = try client.response(on: 1)
            #expect(response.status == 431)
            #expect(response.errorCode == "too_many_headers")
        }
    }

    @Test func bodyTooLargeGets413ThenResetOfTheUpload() async throws {
        try await withTestServer({ $0.limits.maxBodyBytes = 1000 }) { server in
            let client = try HTTP2TestClient(port: server.port)
            // Announced too large: refused at once, while the client is still to send.
            try client.sendHeaders(
                stream: 1, HTTP2TestClient.requestFields("POST", "/echo", extra: [("content-length", "5000")]),
                endStream: false)
            let announced = try client.response(on: 1, followedByReset: true)
            #expect(announced.status == 413)
            #expect(announced.errorCode == "body_too_large")
            #expect(announced.reset == .noError, "RST_STREAM(NO_ERROR) asks the client to stop sending")

            // Found too large as it arrives.
            try client.sendHeaders(stream: 3, HTTP2TestClient.requestFields("POST", "/echo"), endStream: false)
            try client.sendData(stream: 3, [UInt8](repeating: 7, count: 1500), endStream: false)
            let streamed = try client.response(on: 3, followedByReset: true)
            #expect(streamed.status == 413)
            #expect(streamed.reset == .noError)

            // At the limit is fine, and the connection is unharmed.
            try client.sendHeaders(stream: 5, HTTP2TestClient.requestFields("POST", "/echo"), endStream: false)
            try client.sendData(stream: 5, [UInt8](repeating: 9, count: 1000), endStream: true)
            let accepted = try client.response(on: 5)
            #expect(accepted.status == 200)
            #expect(accepted.body == [UInt8](repeating: 9, count: 1000))
        }
    }

    /// A client that has not yet seen our SETTINGS gets RST_STREAM(REFUSED_STREAM) for the streams past the
    /// limit, and may retry them; the others go on.
    @Test func streamsPastAnUnacknowledgedLimitAreRefused() async throws {
        try await withTestServer({ $0.http2.maxConcurrentStreams = 2 }) { server in
            let client = try HTTP2TestClient(port: server.port)
            for stream: UInt32 in [1, 3, 5] {
                try client.sendHeaders(stream: stream, HTTP2TestClient.requestFields("POST", "/echo"), endStream: false)
            }
            let reset = try client.waitFor { $0.kind == .rstStream }
            #expect(reset?.stream == 5, "\(client.received)")
            #expect(reset?.errorCode == .refusedStream, "\(client.received)")
            let settings = client.received.first { $0.kind == .settings && !$0.has(FrameFlag.ack) }
            #expect(
                settings?.settings.contains { $0.id == SettingID.maxConcurrentStreams.rawValue && $0.value == 2 }
                    == true)
            try client.sendData(stream: 1, Array("one".utf8), endStream: true)
            try client.sendData(stream: 3, Array("three".utf8), endStream: true)
            #expect(try client.response(on: 1).bodyString == "one")
            #expect(try client.response(on: 3).bodyString == "three")
            // Their places can be taken again.
            try client.sendGet(stream: 7, "/health")
            #expect(try client.response(on: 7).status == 200)
        }
    }

    /// A client that acknowledged the limit and still exceeds it is broken: nghttp2 ends the connection with
    /// GOAWAY(PROTOCOL_ERROR) (RFC 9113 §5.1.2 allows a stream or a connection error).
    @Test func streamsPastAnAcknowledgedLimitEndTheConnection() async throws {
        try await withTestServer({ $0.http2.maxConcurrentStreams = 2 }) { server in
            let client = try HTTP2TestClient(port: server.port)
            try client.sendGet(stream: 1, "/health")
            // Reading the server's SETTINGS acknowledges them; its answer to stream 1 follows our ACK.
            #expect(try client.response(on: 1).status == 200)
            for stream: UInt32 in [3, 5, 7] {
                try client.sendHeaders(stream: stream, HTTP2TestClient.requestFields("POST", "/echo"), endStream: false)
            }
            let goAway = try client.waitForGoAway()
            #expect(goAway?.errorCode == .protocolError, "\(client.received)")
            #expect(goAway?.lastStreamID == 5)
            #expect(try client.socket.waitForClose())
        }
    }

    @Test func requestCapPerConnectionEndsWithGoAway() async throws {
        try await withTestServer({ $0.limits.maxRequestsPerConnection = 3 }) { server in
            let client = try HTTP2TestClient(port: server.port)
            for stream: UInt32 in [1, 3, 5] {
                try client.sendGet(stream: stream, "/health")
                #expect(try client.response(on: stream).status == 200)
            }
            let goAway = try client.waitForGoAway()
            #expect(goAway?.errorCode == .noError)
            #expect(goAway?.lastStreamID == 5)
            #expect(try client.socket.waitForClose())
        }
    }

    @Test func stalledBodyGets408() async throws {
        try await withTestServer({ $0.timeouts.bodyStall = .milliseconds(400) }) { server in
            let client = try HTTP2TestClient(port: server.port)
            try client.sendHeaders(stream: 1, HTTP2TestClient.requestFields("POST", "/echo"), endStream: false)
            try client.sendData(stream: 1, Array("half".utf8), endStream: false)
            let response = try client.response(on: 1, followedByReset: true, timeout: 3)
            #expect(response.status == 408)
            #expect(response.errorCode == "request_timeout")
            #expect(response.reset == .noError)
        }
    }

    @Test func idleConnectionGetsGoAwayAndIsClosed() async throws {
        try await withTestServer({ $0.timeouts.idle = .milliseconds(400) }) { server in
            let client = try HTTP2TestClient(port: server.port)
            try client.sendGet(stream: 1, "/health")
            #expect(try client.response(on: 1).status == 200)
            let goAway = try client.waitForGoAway(timeout: 3)
            #expect(goAway?.errorCode == .noError)
            #expect(try client.socket.waitForClose())
        }
    }

    // MARK: Shutdown

    @Test func gracefulShutdownSendsGoAwayAndFinishesOpenStreams() async throws {
        let server = try startedTestServer { $0.drainTimeout = .seconds(10) }
        defer { server.shutdown() }

        let busy = try HTTP2TestClient(port: server.port)
        try busy.sendHeaders(stream: 1, HTTP2TestClient.requestFields("POST", "/echo"), endStream: false)
        try busy.sendData(stream: 1, Array("in ".utf8), endStream: false)
        let idle = try HTTP2TestClient(port: server.port)
        try idle.sendGet(stream: 1, "/health")
        #expect(try idle.response(on: 1).status == 200)
        #expect(poll(until: 2) { server.statistics.snapshot().inFlightRequests == 1 })

        let stopped = shutDownInBackground(server)

        // The idle connection: GOAWAY at once, then closed.
        #expect(try idle.waitForGoAway(timeout: 2)?.errorCode == .noError)
        #expect(try idle.socket.waitForClose())
        // The busy one: GOAWAY naming the stream in flight as the last one the server will answer.
        let goAway = try busy.waitForGoAway(timeout: 2)
        #expect(goAway?.errorCode == .noError)
        #expect(goAway?.lastStreamID == 1)
        #expect(poll(until: 1) { connectionIsRefused(port: server.port) })
        // A stream opened after GOAWAY is ignored; the one in flight finishes.
        try busy.sendGet(stream: 3, "/health")
        #expect(!stopped.value, "the server must wait for the open stream")
        try busy.sendData(stream: 1, Array("flight".utf8), endStream: true)
        let finished = try busy.response(on: 1)
        #expect(finished.status == 200)
        #expect(finished.bodyString == "in flight")
        #expect(try busy.socket.waitForClose())
        #expect(!busy.received.contains { $0.stream == 3 && $0.kind == .headers }, "\(busy.received)")
        // Closing our ends spares the server its linger.
        busy.socket.close()
        idle.socket.close()
        #expect(poll(until: 3) { stopped.value })
    }
}
