// Shared helpers for the Server* integration tests: an in-process server with a test router, and checks on
// the headers it writes. The raw client, curl and free ports come from ConciergeTestSupport. Everything talks
// to 127.0.0.1 only.

import ConciergeTestSupport
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
            HTTPServerResponse(
                status: .ok, headerFields: [.contentType: "text/plain"], body: Array(request.requestID.utf8))
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
    logger: Logger = quietLogger,
    _ body: (HTTPServer) async throws -> T
) async throws -> T {
    var configuration = testConfiguration()
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, router: router, logger: logger)
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

// MARK: - Checks on what the server wrote

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
