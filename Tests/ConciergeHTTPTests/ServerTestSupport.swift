// Shared helpers for the Server* integration tests: an in-process server with a test router,
// a small blocking raw-socket HTTP/1.1 client, a curl runner, and a handle on the built
// `concierge` binary for the process tests. Everything talks to 127.0.0.1 only.

import Foundation
import HTTPTypes
import Logging
import Synchronization
import Testing

@testable import ConciergeHTTP

#if canImport(Glibc)
import Glibc
#endif

// MARK: - In-process server

/// The routes every in-process test server has.
enum TestRoutes {
    struct Failure: Error {}

    static func router() -> HTTPRouter {
        var router = HTTPRouter()
        router.get("/health") { _ in .json(#"{"status":"ok"}"#) }
        router.post("/echo") { request in
            HTTPServerResponse(
                status: .ok, headerFields: [.contentType: "application/octet-stream"], body: request.body)
        }
        router.get("/query") { request in
            // [[name, value], …] in order, repeats kept.
            let pairs = request.query.items.map { [$0.name, $0.value] }
            let data = try JSONSerialization.data(withJSONObject: pairs, options: [.sortedKeys])
            return .json(Array(data))
        }
        router.get("/slow") { request in
            let milliseconds = Int(request.query["ms"] ?? "") ?? 100
            usleep(useconds_t(milliseconds * 1000))
            return .json(#"{"slept":\#(milliseconds)}"#)
        }
        router.get("/big") { request in
            // `kb` KiB of a repeating pattern: a large response to a small request.
            let kilobytes = Int(request.query["kb"] ?? "") ?? 300
            let body = (0..<(kilobytes * 1024)).map { UInt8(truncatingIfNeeded: $0 % 251) }
            return HTTPServerResponse(status: .ok, headerFields: [.contentType: "application/octet-stream"], body: body)
        }
        router.get("/request-id") { request in
            HTTPServerResponse(status: .ok, headerFields: [.contentType: "text/plain"], body: Array(request.requestID.utf8))
        }
        router.get("/conflict") { _ in
            throw HTTPError(
                .conflict, code: "already_booked", message: "room 12 is \"taken\"",
                headerFields: [HTTPField.Name("X-Hint")!: "try-13"])
        }
        router.get("/fail") { _ in throw Failure() }
        return router
    }
}

let quietLogger = Logger(label: "concierge.tests") { _ in SwiftLogNoOpLogHandler() }

/// The configuration tests start from: loopback, port 0, two queues, no access log, short drain.
func testConfiguration() -> HTTPServerConfiguration {
    HTTPServerConfiguration(
        host: "127.0.0.1", port: 0, queueCount: 2, maxConnections: 1000, drainTimeout: .milliseconds(500),
        accessLog: false)
}

/// Starts an in-process server, runs `body`, then shuts the server down and waits for it to stop.
///
/// Async on purpose: on Linux, Swift concurrency's threads are Dispatch's global-queue threads (two
/// on this machine). A test blocked in a synchronous wait on one of them starves the server's work on
/// `DispatchQueue.global()` (the drain notification, the drain deadline) until Dispatch adds a thread,
/// about a second later. So the waiting for a stop happens on a thread of its own.
@discardableResult
func withTestServer<T>(
    _ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    router: HTTPRouter = TestRoutes.router(),
    _ body: (HTTPServer) async throws -> T
) async throws -> T {
    var configuration = testConfiguration()
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, router: router, logger: quietLogger)
    try server.start()
    let result: T
    do {
        result = try await body(server)
    } catch {
        await stopTestServer(server)
        throw error
    }
    await stopTestServer(server)
    return result
}

/// A started in-process server for tests that shut it down themselves; `shutdown()` is idempotent, so a
/// `defer { server.shutdown() }` after this only matters when a test stops early.
func startedTestServer(_ configure: (inout HTTPServerConfiguration) -> Void) throws -> HTTPServer {
    var configuration = testConfiguration()
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, router: TestRoutes.router(), logger: quietLogger)
    try server.start()
    return server
}

/// `shutdown()`, then waits (on a thread of its own) until the server has stopped and every
/// connection's cancel handler has run, so nothing outlives what it points at.
func stopTestServer(_ server: HTTPServer) async {
    await onOwnThread {
        server.shutdown()
        server.waitUntilStopped()
        _ = poll(until: 2) { server.statistics.snapshot().openConnections == 0 }
    }
}

/// Starts a graceful shutdown on a thread of its own (not a Task: under a parallel test run Swift's few
/// threads may all be busy); the flag is set once the server has stopped.
func shutDownInBackground(_ server: HTTPServer) -> AtomicFlag {
    let stopped = AtomicFlag()
    Thread {
        server.shutdown()
        server.waitUntilStopped()
        stopped.set()
    }.start()
    return stopped
}

/// Runs blocking `work` on a new thread and waits for it without holding a Swift concurrency thread.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.start()
    }
}

/// A flag threads can set and read.
final class AtomicFlag: Sendable {
    private let storage = Atomic<Bool>(false)
    var value: Bool { storage.load(ordering: .acquiring) }
    func set() { storage.store(true, ordering: .releasing) }
}

/// Polls `condition` every 10 ms until it holds or `seconds` pass. Returns whether it held.
@discardableResult
func poll(until seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if condition() { return true }
        if Date() >= deadline { return false }
        usleep(10_000)
    }
}

func elapsed(since start: Date) -> Double { Date().timeIntervalSince(start) }

// MARK: - Raw socket client

struct ClientError: Error, CustomStringConvertible {
    var description: String
}

/// One parsed HTTP/1.1 response.
struct RawResponse: CustomStringConvertible {
    var version: String
    var status: Int
    var reason: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headers(named name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    var bodyString: String { String(decoding: body, as: UTF8.self) }

    var closesConnection: Bool { header("Connection")?.lowercased() == "close" }

    /// The `code` of a `{"error":{"code":…,"message":…}}` body.
    var errorCode: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let error = object["error"] as? [String: Any]
        else { return nil }
        return error["code"] as? String
    }

    var errorMessage: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let error = object["error"] as? [String: Any]
        else { return nil }
        return error["message"] as? String
    }

    var description: String {
        "\(version) \(status) \(reason) " + headers.map { "\($0.name): \($0.value)" }.joined(separator: " | ")
            + " <\(body.count) bytes: \(bodyString.prefix(200))>"
    }
}

/// A blocking HTTP/1.1 client on one TCP connection, for saying exactly what the server sees.
final class RawClient: @unchecked Sendable {
    private(set) var fd: Int32
    private var buffer: [UInt8] = []
    /// Set once a read returned end of file (or the connection was reset).
    private(set) var peerClosed = false
    private(set) var resetByPeer = false
    /// Bytes this client has sent and received on the connection.
    private(set) var sentByteCount = 0
    private(set) var receivedByteCount = 0

    /// Connects to 127.0.0.1:`port`; throws `ClientError` whose description names errno.
    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let error = errno
            Glibc.close(fd)
            fd = -1
            throw ConnectError(errno: error)
        }
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    struct ConnectError: Error, CustomStringConvertible {
        var errno: Int32
        var description: String { "connect: \(String(cString: strerror(errno)))" }
    }

    deinit { close() }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// Half-closes our side: the server reads end of file.
    func shutdownWrite() {
        Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw ClientError(description: "send: \(String(cString: strerror(errno)))")
            }
            offset += written
            sentByteCount += written
        }
    }

    /// Bytes received and not yet taken by `readResponse`.
    var unread: [UInt8] { buffer }

    /// Waits up to `deadline` for readable data and reads once. Returns false on timeout.
    private func fill(deadline: Date) throws -> Bool {
        if peerClosed { return true }
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0 else { return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = Glibc.poll(&descriptor, 1, Int32(max(1, (remaining * 1000).rounded(.up))))
        if ready < 0 {
            if errno == EINTR { return true }
            throw ClientError(description: "poll: \(String(cString: strerror(errno)))")
        }
        if ready == 0 { return false }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer.append(contentsOf: chunk[..<count])
            receivedByteCount += count
        } else if count == 0 {
            peerClosed = true
        } else if errno == ECONNRESET {
            peerClosed = true
            resetByPeer = true
        } else if errno != EINTR && errno != EAGAIN {
            throw ClientError(description: "recv: \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// Reads one response. `bodyless` is for answers to HEAD. A 1xx response is returned on its own.
    func readResponse(timeout: Double = 5, bodyless: Bool = false) throws -> RawResponse {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let response = try parseBuffered(bodyless: bodyless) { return response }
            if peerClosed {
                throw ClientError(
                    description: "the server closed the connection before a full response; got \(buffer.count) bytes: "
                        + String(decoding: buffer, as: UTF8.self))
            }
            guard try fill(deadline: deadline) else {
                throw ClientError(
                    description: "no full response within \(timeout) s; got \(buffer.count) bytes: "
                        + String(decoding: buffer, as: UTF8.self))
            }
        }
    }

    /// Like `readResponse`, but nil (instead of an error) when nothing complete arrives within `timeout`.
    func tryReadResponse(timeout: Double, bodyless: Bool = false) throws -> RawResponse? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let response = try parseBuffered(bodyless: bodyless) { return response }
            if peerClosed { return nil }
            guard try fill(deadline: deadline) else { return nil }
        }
    }

    /// Reads `count` responses in a row.
    func readResponses(_ count: Int, timeout: Double = 5) throws -> [RawResponse] {
        try (0..<count).map { _ in try readResponse(timeout: timeout) }
    }

    /// Sends `request` and reads its response.
    func exchange(_ request: String, timeout: Double = 5, bodyless: Bool = false) throws -> RawResponse {
        try send(request)
        return try readResponse(timeout: timeout, bodyless: bodyless)
    }

    /// Waits for end of file (or a reset) from the server, keeping what arrives before it.
    /// Returns whether the connection was closed within `timeout`.
    func waitForClose(timeout: Double = 3) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !peerClosed {
            guard try fill(deadline: deadline) else { return false }
        }
        return true
    }

    /// True if nothing (no data, no end of file) arrives within `seconds`.
    func staysQuiet(for seconds: Double) throws -> Bool {
        let before = buffer.count
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            _ = try fill(deadline: deadline)
            if peerClosed || buffer.count != before { return false }
        }
        return true
    }

    private func parseBuffered(bodyless: Bool) throws -> RawResponse? {
        try RawResponse.parse(&buffer, bodyless: bodyless, atEndOfStream: peerClosed)
    }

    /// Waits until at least `count` bytes are buffered. Returns false if the connection closed or
    /// `timeout` passed first.
    func waitForBytes(_ count: Int, timeout: Double = 5) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while buffer.count < count {
            if peerClosed { return false }
            guard try fill(deadline: deadline) else { return false }
        }
        return true
    }

    /// Removes and returns the first `count` buffered bytes.
    func take(_ count: Int) -> [UInt8] {
        defer { buffer.removeFirst(count) }
        return Array(buffer.prefix(count))
    }
}

extension RawResponse {
    /// Takes one response off the front of `buffer`, or returns nil when it is not all there yet.
    /// `atEndOfStream`: nothing more will come, so a body without Content-Length ends here.
    static func parse(_ buffer: inout [UInt8], bodyless: Bool, atEndOfStream: Bool) throws -> RawResponse? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = buffer.firstRange(of: separator) else { return nil }
        let headText = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw ClientError(description: "bad status line: \(statusLine)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                throw ClientError(description: "bad header line: \(line)")
            }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = RawResponse(
            version: String(parts[0]), status: status, reason: parts.count > 2 ? String(parts[2]) : "",
            headers: headers, body: [])
        let bodyStart = headEnd.upperBound
        if bodyless || (100..<200).contains(status) || status == 204 || status == 304 {
            buffer.removeFirst(bodyStart)
            return response
        }
        if let lengthText = response.header("Content-Length") {
            guard let length = Int(lengthText) else { throw ClientError(description: "bad Content-Length \(lengthText)") }
            guard buffer.count - bodyStart >= length else { return nil }
            response.body = Array(buffer[bodyStart..<(bodyStart + length)])
            buffer.removeFirst(bodyStart + length)
            return response
        }
        // No Content-Length: the body runs to end of file.
        guard atEndOfStream else { return nil }
        response.body = Array(buffer[bodyStart...])
        buffer.removeAll()
        return response
    }
}

/// A free TCP port on 127.0.0.1, found by binding port 0 and closing the socket again.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw ClientError(description: "socket failed") }
    defer { Glibc.close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { throw ClientError(description: "bind failed: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A plain GET request with the Host header.
func getRequest(_ target: String, headers: [String] = [], version: String = "HTTP/1.1") -> String {
    "GET \(target) \(version)\r\nHost: 127.0.0.1\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n"
}

func postRequest(_ target: String, body: String, headers: [String] = []) -> String {
    "POST \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n"
        + headers.map { $0 + "\r\n" }.joined() + "\r\n" + body
}

func isLowercaseHex32(_ text: String?) -> Bool {
    guard let text else { return false }
    return text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
}

/// RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
func isIMFFixdate(_ text: String?) -> Bool {
    guard let text else { return false }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    guard let date = formatter.date(from: text), text.utf8.count == 29 else { return false }
    return abs(date.timeIntervalSinceNow) < 60
}

// MARK: - Child processes

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` with `arguments`, capturing its output; kills it if it outlives `timeout`.
func runProcess(_ executable: String, _ arguments: [String], timeout: Double = 15) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let directory = FileManager.default.temporaryDirectory
    let stdoutURL = directory.appendingPathComponent("concierge-test-\(UUID().uuidString).out")
    let stderrURL = directory.appendingPathComponent("concierge-test-\(UUID().uuidString).err")
    _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: stdoutURL)
        try? FileManager.default.removeItem(at: stderrURL)
    }
    let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
    let stderrHandle = try FileHandle(forWritingTo: stderrURL)
    process.standardOutput = stdoutHandle
    process.standardError = stderrHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let pid = process.processIdentifier
    defer {
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        try? stdoutHandle.close()
        try? stderrHandle.close()
    }
    if !poll(until: timeout, { !process.isRunning }) {
        kill(pid, SIGKILL)
        process.waitUntilExit()
        throw ClientError(description: "\(executable) did not finish within \(timeout) s")
    }
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus,
        stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
}

func runCurl(_ arguments: [String], timeout: Double = 15) throws -> ProcessResult {
    try runProcess("/usr/bin/curl", arguments, timeout: timeout)
}

/// Splits curl `-i` output into its responses (curl prints every head, including 100 Continue).
func curlHeads(_ output: String) -> [String] {
    output.components(separatedBy: "\r\n\r\n").filter { $0.hasPrefix("HTTP/") }
}

/// The `concierge` executable: `CONCIERGE_BIN`, else next to the test bundle (`swift test` builds both).
func conciergeBinary() -> String? {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment["CONCIERGE_BIN"], !path.isEmpty {
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }
    var directories: [URL] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        directories.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
    }
    var bundle = Bundle.main.bundleURL
    directories.append(bundle)
    while bundle.path != "/" {
        if bundle.pathExtension == "xctest" { directories.append(bundle.deletingLastPathComponent()) }
        bundle = bundle.deletingLastPathComponent()
    }
    for directory in directories {
        let candidate = directory.appendingPathComponent("concierge").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// `conciergeBinary()`, recording a clear issue when it is missing.
func requireConciergeBinary(sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    guard let path = conciergeBinary() else {
        Issue.record(
            "the concierge executable was not found next to the test bundle; run `swift build` first or set CONCIERGE_BIN",
            sourceLocation: sourceLocation)
        return nil
    }
    return path
}

/// `concierge serve` needs a model to serve. These tests are about the HTTP layer, so the model is made once,
/// as an operator would, with the binary's own `sample`, `ingest` and `train` commands: small and quick.
enum ServedModel {
    static let registry: Result<String, ClientError> = {
        guard let binary = conciergeBinary() else { return .failure(ClientError(description: "no concierge binary")) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("concierge-http-\(UUID().uuidString)").path
        let steps = [
            ["sample", "--out", folder + "/orders.csv", "--guests", "200", "--seed", "3"],
            ["ingest", folder + "/orders.csv", "--store", folder + "/store.sqlite"],
            [
                "train", "--store", folder + "/store.sqlite", "--registry", folder + "/models", "--no-tune",
                "--factors", "4", "--iterations", "2", "--promote-if-better",
            ],
        ]
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for step in steps {
                let result = try runProcess(binary, step, timeout: 60)
                guard result.status == 0 else {
                    return .failure(ClientError(description: "concierge \(step[0]) failed: \(result.stderr)"))
                }
            }
        } catch let error as ClientError {
            return .failure(error)
        } catch {
            return .failure(ClientError(description: "\(error)"))
        }
        return .success(folder + "/models")
    }()
}

/// A `concierge serve` child process on a free loopback port, serving `ServedModel`.
final class ServerProcess {
    let process = Process()
    let port: Int
    private let stderrURL: URL
    private let stderrHandle: FileHandle
    private var launched = false

    /// `environment`: variables added to the test's own, such as `CONCIERGE_*` settings. `accessLog`: log a
    /// line per request, which only the access-log tests want to read.
    init(binary: String, arguments: [String] = [], environment: [String: String] = [:], accessLog: Bool = false) throws {
        port = try freePort()
        stderrURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("concierge-serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        stderrHandle = try FileHandle(forWritingTo: stderrURL)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            ["serve", "--host", "127.0.0.1", "--port", String(port), "--registry", try ServedModel.registry.get()]
            + (accessLog ? [] : ["--no-access-log"]) + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stderrHandle
        process.standardError = stderrHandle
        try process.run()
        launched = true
    }

    var pid: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func signal(_ number: Int32) { kill(pid, number) }

    /// Waits until `/health` answers 200 on a new connection.
    func waitUntilReady(timeout: Double = 10) -> Bool {
        poll(until: timeout) {
            guard isRunning, let client = try? RawClient(port: port) else { return false }
            return (try? client.exchange(getRequest("/health", headers: ["Connection: close"]), timeout: 1))?.status
                == 200
        }
    }

    /// Waits for the process to exit; returns its exit status, or nil past `timeout`.
    func waitForExit(timeout: Double) -> Int32? {
        guard poll(until: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    var terminationReason: Process.TerminationReason { process.terminationReason }

    /// What the server logged so far.
    var log: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// SIGTERM, then SIGKILL if it is still there a moment later. Safe to call more than once.
    func stop() {
        guard launched else { return }
        if process.isRunning {
            kill(pid, SIGTERM)
            if !poll(until: 2, { !process.isRunning }) { kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
        try? stderrHandle.close()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: stderrURL)
    }
}
