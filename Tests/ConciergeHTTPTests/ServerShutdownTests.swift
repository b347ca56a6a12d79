// Graceful shutdown: in process through `HTTPServer.shutdown()`, and with the real `concierge`
// binary through SIGTERM / SIGINT.

import Foundation
import HTTPTypes
import Testing

@testable import ConciergeHTTP

#if canImport(Glibc)
import Glibc
#endif

/// Whether connecting to `port` is refused (nothing listens any more).
func connectionIsRefused(port: Int) -> Bool {
    do {
        let client = try RawClient(port: port)
        client.close()
        return false
    } catch let error as RawClient.ConnectError {
        return error.errno == ECONNREFUSED
    } catch {
        return false
    }
}

@Suite("Server: in-process shutdown")
struct ServerShutdownTests {
    @Test func drainFinishesInFlightRequestsAndClosesIdleOnes() async throws {
        let server = try startedTestServer { $0.drainTimeout = .seconds(10) }
        defer { server.shutdown() }
        let port = server.port

        let inFlight = try RawClient(port: port)
        try inFlight.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhe")
        let slow = try RawClient(port: port)
        try slow.send(getRequest("/slow?ms=600"))
        let idle = try RawClient(port: port)
        #expect(try idle.exchange(getRequest("/health")).status == 200)
        let neverSent = try RawClient(port: port)
        #expect(poll(until: 2) { server.statistics.snapshot().openConnections == 4 })
        // Both heads parsed: the partial POST and the slow GET whose responder is running.
        #expect(poll(until: 2) { server.statistics.snapshot().inFlightRequests == 2 })

        let started = Date()
        let stopped = shutDownInBackground(server)
        #expect(server.isDraining || poll(until: 1) { server.isDraining })

        // Idle connections go at once, with no response.
        #expect(try idle.waitForClose(timeout: 1))
        #expect(idle.unread.isEmpty)
        #expect(try neverSent.waitForClose(timeout: 1))
        #expect(elapsed(since: started) < 1)
        // Nothing listens any more.
        #expect(poll(until: 1) { connectionIsRefused(port: port) })

        // The responder that was running finishes; its connection is closed after the response.
        let slowResponse = try slow.readResponse(timeout: 3)
        #expect(slowResponse.status == 200)
        #expect(slowResponse.closesConnection)
        #expect(try slow.waitForClose())

        // The request whose body was arriving is still served.
        #expect(!stopped.value, "the server must wait for the in-flight request")
        try inFlight.send("llo")
        let response = try inFlight.readResponse()
        #expect(response.status == 200)
        #expect(response.bodyString == "hello")
        #expect(response.closesConnection)
        #expect(try inFlight.waitForClose())
        inFlight.close()
        slow.close()

        #expect(poll(until: 3) { stopped.value })
        #expect(elapsed(since: started) < 5, "drained well before the 10 s deadline")
        #expect(poll(until: 2) { server.statistics.snapshot().openConnections == 0 })
    }

    /// A responder that is running when `shutdown()` is called: its response should say
    /// `Connection: close`, although its worker hears of the drain only after the responder returns.
    @Test func responseOfAResponderRunningAtShutdownSaysClose() async throws {
        try await withTestServer({ $0.drainTimeout = .seconds(5) }) { server in
            let client = try RawClient(port: server.port)
            try client.send(getRequest("/slow?ms=400", headers: ["X-Request-Id: one"]))
            usleep(150_000)  // the responder is sleeping now
            server.shutdown()
            let first = try client.readResponse(timeout: 3)
            #expect(first.status == 200)
            #expect(first.header("X-Request-Id") == "one")
            #expect(first.closesConnection, "\(first)")
            // Either way the connection is closed afterwards.
            #expect(try client.waitForClose())
        }
    }

    @Test func drainDeadlineClosesStuckConnections() async throws {
        let server = try startedTestServer { $0.drainTimeout = .milliseconds(700) }
        defer { server.shutdown() }
        let stuck = try RawClient(port: server.port)
        try stuck.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a little")
        // Wait until the server has read the head: see `requestSentBeforeShutdownIsAnswered`.
        #expect(poll(until: 2) { server.statistics.snapshot().inFlightRequests == 1 })

        // Timed on the waiting thread: resuming this task can lag when the test run is busy.
        let took = await onOwnThread {
            let started = Date()
            server.shutdown()
            server.waitUntilStopped()
            return elapsed(since: started)
        }
        #expect(took >= 0.65, "stopped after \(took) s; the drain deadline is 0.7 s")
        #expect(took < 2, "stopped after \(took) s")
        #expect(try stuck.waitForClose(timeout: 2))
        #expect(stuck.unread.isEmpty, "a connection closed at the deadline gets no response")
        #expect(poll(until: 2) { server.statistics.snapshot().openConnections == 0 })
    }

    @Test func shutdownWithNoConnectionsStopsAtOnce() async throws {
        let server = HTTPServer(configuration: testConfiguration(), router: TestRoutes.router(), logger: quietLogger)
        try server.start()
        defer { server.shutdown() }  // idempotent; only matters if the test stops early
        let port = server.port
        let took = await onOwnThread {
            let started = Date()
            server.shutdown()
            server.shutdown()  // a second call is harmless
            server.waitUntilStopped()
            return elapsed(since: started)
        }
        #expect(took < 0.4)
        #expect(connectionIsRefused(port: port))
    }

    /// A complete request the client sent on an accepted connection before `shutdown()` was called
    /// must be answered. Known, intermittent (a few in 30 here): `Connection.drain()` closes a
    /// connection that looks idle (parser between requests, input buffer empty) without checking
    /// whether the socket holds bytes the read source has not delivered yet, so the request is
    /// dropped and the client sees EOF or a reset.
    @Test func requestSentBeforeShutdownIsAnswered() async throws {
        var dropped = 0
        for _ in 0..<30 {
            try await withTestServer({ $0.drainTimeout = .seconds(2) }) { server in
                let client = try RawClient(port: server.port)
                #expect(poll(until: 2) { server.statistics.snapshot().openConnections == 1 })
                usleep(2000)  // adopted by its worker
                try client.send(getRequest("/health"))
                server.shutdown()
                let response = try client.tryReadResponse(timeout: 2)
                if response?.status != 200 { dropped += 1 }
            }
        }
        #expect(dropped == 0, "\(dropped) of 30 requests sent before shutdown() were not answered")
    }

    /// Every caller of `waitUntilStopped()` returns, not only the first.
    @Test func waitUntilStoppedReturnsForEveryCaller() async throws {
        let server = HTTPServer(configuration: testConfiguration(), router: TestRoutes.router(), logger: quietLogger)
        try server.start()
        defer { server.shutdown() }  // idempotent; only matters if the test stops early
        await onOwnThread {
            server.shutdown()
            server.waitUntilStopped()
        }
        let secondReturned = AtomicFlag()
        let thread = Thread {
            server.waitUntilStopped()
            secondReturned.set()
        }
        thread.start()
        let returned = await onOwnThread { poll(until: 1) { secondReturned.value } }
        #expect(returned, "a second waitUntilStopped() after the server stopped must return")
        // If it is still blocked, that thread stays parked for the life of the test process.
    }
}

@Suite("Server: concierge binary shutdown")
struct ServerProcessShutdownTests {
    @Test func sigtermDrainsInFlightRequestAndExitsZero() async throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServerProcess(binary: binary, arguments: ["--drain-timeout", "10"])
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
            let server = try ServerProcess(binary: binary)
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
        let server = try ServerProcess(binary: binary)
        defer { server.stop() }
        #expect(server.waitUntilReady(), "log:\n\(server.log)")
        server.signal(SIGINT)
        #expect(server.waitForExit(timeout: 5) == 0, "log:\n\(server.log)")
    }

    @Test func secondSigtermExitsAtOnce() async throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServerProcess(binary: binary, arguments: ["--drain-timeout", "20", "--body-timeout", "20"])
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
        let server = try ServerProcess(binary: binary, arguments: ["--drain-timeout", "1", "--body-timeout", "20"])
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
        let first = try ServerProcess(binary: binary)
        defer { first.stop() }
        #expect(first.waitUntilReady(), "log:\n\(first.log)")
        let result = try runProcess(
            binary,
            [
                "serve", "--host", "127.0.0.1", "--port", String(first.port), "--no-access-log",
                "--registry", try ServedModel.registry.get(),
            ], timeout: 10)
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot listen"), "\(result.stderr)")
    }
}
