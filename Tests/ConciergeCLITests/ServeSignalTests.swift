// `concierge serve`'s graceful shutdown: the real binary in a child process, stopped through SIGTERM and SIGINT.

import ConciergeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Server: concierge binary shutdown")
struct ServeSignalTests {
    @Test func sigtermDrainsInFlightRequestAndExitsZero() async throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServeProcess(binary: binary, arguments: ["--drain-timeout", "10"])
        defer { server.stop() }
        #expect(server.waitUntilReady(), "the server did not answer /health; log:\n\(server.log)")

        // An in-flight request: the head of a POST and 2 of its 5 body bytes.
        let inFlight = try RawClient(port: server.port)
        try inFlight.send("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab")
        // An idle keep-alive connection.
        let idle = try RawClient(port: server.port)
        #expect(try idle.exchange(getRequest("/health")).status == 200)
        usleep(200_000)  // let the server read the in-flight request

        server.signal(SIGTERM)
        let signalled = Date()
        #expect(try idle.waitForClose(timeout: 1), "the idle connection must be closed promptly")
        #expect(elapsed(since: signalled) < 1)
        #expect(poll(until: 2) { connectionIsRefused(port: server.port) }, "a new connection must be refused")
        #expect(server.isRunning, "the in-flight request must keep the process alive")

        try inFlight.send("cde")
        let response = try inFlight.readResponse()
        #expect([404, 405].contains(response.status), "\(response)")
        // Known, intermittent (seen under CPU load): shutdown() tells the workers one after the other
        // through their queues, and `Connection.handle` decides keep-alive from its own worker's flag,
        // so a request finished on a worker that has not heard yet is answered without Connection: close.
        #expect(response.closesConnection, "\(response)")
        #expect(response.header("Server") == "concierge")
        #expect(try inFlight.waitForClose())
        inFlight.close()

        let status = server.waitForExit(timeout: 5)
        #expect(status == 0, "exit status \(status.map(String.init) ?? "none: still running"); log:\n\(server.log)")
        #expect(server.terminationReason == .exit)
        #expect(elapsed(since: signalled) < 5)
        #expect(server.log.contains("draining"))
    }

    /// `Serve.run()` blocks the signals it handles in every thread before it listens, so a SIGTERM sent
    /// as soon as `/health` answers waits, pending, until the signal sources take it.
    @Test func signalRightAfterReadinessIsNotLost() async throws {
        guard let binary = requireConciergeBinary() else { return }
        var lost = 0
        var log = ""
        for _ in 0..<20 {
            let server = try ServeProcess(binary: binary)
            defer { server.stop() }
            guard server.waitUntilReady() else {
                Issue.record("not ready; log:\n\(server.log)")
                continue
            }
            server.signal(SIGTERM)
            if let status = server.waitForExit(timeout: 2) {
                #expect(status == 0, "log:\n\(server.log)")
            } else {
                lost += 1
                log = server.log
            }
        }
        #expect(lost == 0, "\(lost) of 20 SIGTERMs were ignored; log of one:\n\(log)")
    }

    @Test func sigintAlsoDrainsAndExitsZero() async throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServeProcess(binary: binary)
        defer { server.stop() }
        #expect(server.waitUntilReady(), "log:\n\(server.log)")
        server.signal(SIGINT)
        #expect(server.waitForExit(timeout: 5) == 0, "log:\n\(server.log)")
    }

    @Test func secondSigtermExitsAtOnce() async throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServeProcess(binary: binary, arguments: ["--drain-timeout", "20", "--body-timeout", "20"])
        defer { server.stop() }
        #expect(server.waitUntilReady(), "log:\n\(server.log)")
        let inFlight = try RawClient(port: server.port)
        try inFlight.send("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab")
        usleep(200_000)  // let the server read it

        server.signal(SIGTERM)
        usleep(300_000)
        #expect(server.isRunning, "draining: the in-flight request holds the process")
        let second = Date()
        server.signal(SIGTERM)
        let status = server.waitForExit(timeout: 2)
        #expect(status != nil, "the second SIGTERM must end the process at once")
        #expect(status != 0, "an abandoned drain must not report success")
        #expect(status == 128 + SIGTERM)
        #expect(elapsed(since: second) < 1)
        #expect(try inFlight.waitForClose(timeout: 2))
    }

    @Test func drainDeadlineStillExitsZero() async throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServeProcess(binary: binary, arguments: ["--drain-timeout", "1", "--body-timeout", "20"])
        defer { server.stop() }
        #expect(server.waitUntilReady(), "log:\n\(server.log)")
        let stuck = try RawClient(port: server.port)
        try stuck.send("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab")
        usleep(200_000)  // let the server read it

        let signalled = Date()
        server.signal(SIGTERM)
        let status = server.waitForExit(timeout: 5)
        let took = elapsed(since: signalled)
        #expect(status == 0, "log:\n\(server.log)")
        #expect(took >= 0.9, "exited after \(took) s; the drain deadline is 1 s")
        #expect(took < 2.5, "exited after \(took) s")
        // Known, intermittent: closeAll() lets the last connection's cancel handler finish the drain
        // (logging "drained") before the deadline block logs its warning, so the log may not say the
        // drain was forced.
        #expect(server.log.contains("drain timeout reached"), "\(server.log)")
        #expect(try stuck.waitForClose(timeout: 2))
        #expect(stuck.unread.isEmpty)
    }

    @Test func invalidFlagsFailWithoutServing() throws {
        guard let binary = requireConciergeBinary() else { return }
        let result = try runProcess(binary, ["serve", "--host", "127.0.0.1", "--port", "70000"], timeout: 10)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--port"))
        let negative = try runProcess(binary, ["serve", "--host", "127.0.0.1", "--drain-timeout", "0"], timeout: 10)
        #expect(negative.status != 0)
        #expect(negative.stderr.contains("--drain-timeout"))
    }

    @Test func portInUseFailsClearly() throws {
        guard let binary = requireConciergeBinary() else { return }
        let first = try ServeProcess(binary: binary)
        defer { first.stop() }
        #expect(first.waitUntilReady(), "log:\n\(first.log)")
        let result = try runProcess(
            binary,
            [
                "serve", "--host", "127.0.0.1", "--port", String(first.port), "--no-access-log",
                "--registry", SampleModel.registry.directory,
            ], timeout: 10)
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot listen"), "\(result.stderr)")
    }
}
