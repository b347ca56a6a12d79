// Graceful shutdown in process, through `HTTPServer.shutdown()`. The `concierge` binary's SIGTERM and SIGINT
// are ConciergeCLITests' ServeSignalTests.

import ConciergeTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import ConciergeHTTP

#if canImport(Glibc)
    import Glibc
#endif

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
