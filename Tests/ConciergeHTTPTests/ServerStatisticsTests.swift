// `HTTPServer.statistics` after known traffic, and many clients at once.

import ConciergeTestSupport
import Foundation
import HTTPTypes
import Synchronization
import Testing

@testable import ConciergeHTTP

extension HTTPServerStatistics.Snapshot {
    func count(route: String, method: String, statusClass: String) -> UInt64 {
        requests.first { $0.route == route && $0.method == method && $0.statusClass == statusClass }?.count ?? 0
    }

    var totalRequests: UInt64 { requests.reduce(0) { $0 + $1.count } }

    func latencyCount(route: String) -> UInt64 {
        latency.filter { $0.route == route }.reduce(0) { $0 + $1.count }
    }
}

@Suite("Server: statistics")
struct ServerStatisticsTests {
    @Test func countsRequestsPerRouteMethodAndStatusClass() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            for _ in 0..<3 { #expect(try client.exchange(getRequest("/health")).status == 200) }
            #expect(try client.exchange("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n", bodyless: true).status == 200)
            #expect(try client.exchange(postRequest("/health", body: "no")).status == 405)
            for index in 0..<2 { #expect(try client.exchange(postRequest("/echo", body: "e\(index)")).status == 200) }
            #expect(try client.exchange(getRequest("/conflict")).status == 409)
            #expect(try client.exchange(getRequest("/fail")).status == 500)
            #expect(try client.exchange(getRequest("/nowhere")).status == 404)
            let malformed = try RawClient(port: server.port)
            #expect(try malformed.exchange("GET /health HTTP/1.1\r\nBad Header: x\r\n\r\n").status == 400)
            #expect(try malformed.waitForClose())

            let snapshot = server.statistics.snapshot()
            #expect(snapshot.count(route: "/health", method: "GET", statusClass: "2xx") == 3)
            #expect(snapshot.count(route: "/health", method: "HEAD", statusClass: "2xx") == 1)
            #expect(snapshot.count(route: "/health", method: "POST", statusClass: "4xx") == 1)
            #expect(snapshot.count(route: "/echo", method: "POST", statusClass: "2xx") == 2)
            #expect(snapshot.count(route: "/conflict", method: "GET", statusClass: "4xx") == 1)
            #expect(snapshot.count(route: "/fail", method: "GET", statusClass: "5xx") == 1)
            // 404s and unparsable requests are counted under `unmatched`.
            #expect(snapshot.count(route: "unmatched", method: "GET", statusClass: "4xx") == 2)
            #expect(snapshot.totalRequests == 11)
            #expect(snapshot.requests.count == 7, "\(snapshot.requests)")

            #expect(snapshot.latencyCount(route: "/health") == 5)
            #expect(snapshot.latencyCount(route: "/echo") == 2)
            #expect(snapshot.latencyCount(route: "/conflict") == 1)
            #expect(snapshot.latencyCount(route: "/fail") == 1)
            #expect(snapshot.latencyCount(route: "unmatched") == 2)
            #expect(snapshot.latency.reduce(0) { $0 + $1.count } == snapshot.totalRequests)
            // The histogram has the counter's labels: every request series has a latency series of the same count.
            #expect(
                snapshot.latency.map { [$0.route, $0.method, $0.statusClass, String($0.count)] }
                    == snapshot.requests.map { [$0.route, $0.method, $0.statusClass, String($0.count)] })
            for series in snapshot.latency {
                #expect(series.cumulativeCounts.count == HTTPServerStatistics.latencyBuckets.count + 1)
                #expect(zip(series.cumulativeCounts, series.cumulativeCounts.dropFirst()).allSatisfy { $0 <= $1 })
                #expect(series.sumSeconds >= 0 && series.sumSeconds < 5)
            }
            #expect(snapshot.inFlightRequests == 0)
            #expect(snapshot.acceptedConnections == 2)
            #expect(snapshot.rejectedConnections == 0)
            #expect(snapshot.openConnections >= 1)

            // Byte counters agree exactly with what the clients sent and received.
            let sent = client.sentByteCount + malformed.sentByteCount
            let received = client.receivedByteCount + malformed.receivedByteCount
            #expect(
                poll(until: 2) {
                    let now = server.statistics.snapshot()
                    return now.bytesReceived == UInt64(sent) && now.bytesSent == UInt64(received)
                },
                "server: \(server.statistics.snapshot().bytesReceived) in / \(server.statistics.snapshot().bytesSent) out; client: \(sent) out / \(received) in"
            )

            client.close()
            malformed.close()
            #expect(poll(until: 3) { server.statistics.snapshot().openConnections == 0 })
        }
    }

    @Test func slowResponderLatencyLandsInTheRightBucket() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            #expect(try client.exchange(getRequest("/slow?ms=300")).status == 200)
            let series = try #require(server.statistics.snapshot().latency.first { $0.route == "/slow" })
            let buckets = HTTPServerStatistics.latencyBuckets
            // Not in any bucket up to 0.25 s; in the 0.5 s one.
            let quarter = try #require(buckets.firstIndex(of: 0.25))
            let half = try #require(buckets.firstIndex(of: 0.5))
            #expect(series.cumulativeCounts[quarter] == 0)
            #expect(series.cumulativeCounts[half] == 1)
            #expect(series.sumSeconds >= 0.29 && series.sumSeconds < 0.5)
        }
    }

    @Test func inFlightRequestsAreCounted() async throws {
        try await withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send(getRequest("/slow?ms=500"))
            #expect(poll(until: 1) { server.statistics.snapshot().inFlightRequests == 1 })
            #expect(try client.readResponse().status == 200)
            #expect(server.statistics.snapshot().inFlightRequests == 0)

            // A request whose body is still arriving is in flight too.
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab")
            #expect(poll(until: 1) { server.statistics.snapshot().inFlightRequests == 1 })
            try client.send("cd")
            #expect(try client.readResponse().bodyString == "abcd")
            #expect(server.statistics.snapshot().inFlightRequests == 0)

            // A client that leaves halfway through a body takes its request with it.
            let leaving = try RawClient(port: server.port)
            try leaving.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab")
            #expect(poll(until: 1) { server.statistics.snapshot().inFlightRequests == 1 })
            leaving.close()
            #expect(poll(until: 2) { server.statistics.snapshot().inFlightRequests == 0 })
        }
    }

    /// A request refused after its head was parsed (bad chunk, chunked body too large, body stall)
    /// is counted as started once, so `inFlightRequests` returns to zero.
    @Test(arguments: [
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n401\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd",
    ])
    func inFlightReturnsToZeroAfterAnErrorInTheBody(_ request: String) async throws {
        try await withTestServer({ $0.limits.maxBodyBytes = 1024 }) { server in
            let client = try RawClient(port: server.port)
            let response = try client.exchange(request)
            #expect([400, 413].contains(response.status))
            #expect(try client.waitForClose())
            let snapshot = server.statistics.snapshot()
            #expect(snapshot.totalRequests == 1)
            #expect(snapshot.inFlightRequests == 0)
        }
    }

    @Test func inFlightReturnsToZeroAfterABodyStall() async throws {
        try await withTestServer({
            $0.timeouts.bodyStall = .milliseconds(500)
        }) { server in
            let client = try RawClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
            #expect(try client.readResponse(timeout: 3).status == 408)
            let snapshot = server.statistics.snapshot()
            #expect(snapshot.count(route: "unmatched", method: "POST", statusClass: "4xx") == 1)
            #expect(snapshot.inFlightRequests == 0)
        }
    }

    @Test func timeoutsAndRejectionsAreCounted() async throws {
        try await withTestServer({
            $0.maxConnections = 1
            $0.timeouts.header = .milliseconds(500)
        }) { server in
            let slow = try RawClient(port: server.port)
            try slow.send("GET /health HTTP/1.1\r\n")
            #expect(poll(until: 2) { server.statistics.snapshot().openConnections == 1 })
            let rejected = try RawClient(port: server.port)
            #expect(try rejected.readResponse().status == 503)
            #expect(try slow.readResponse(timeout: 3).status == 408)
            let snapshot = server.statistics.snapshot()
            #expect(snapshot.acceptedConnections == 1)
            #expect(snapshot.rejectedConnections == 1)
            // Both answers count as requests: a 503 and a 408, neither on a route.
            #expect(snapshot.count(route: "unmatched", method: "GET", statusClass: "5xx") == 1)
            #expect(snapshot.count(route: "unmatched", method: "GET", statusClass: "4xx") == 1)
            #expect(snapshot.inFlightRequests == 0)
            slow.close()
            rejected.close()
            #expect(poll(until: 3) { server.statistics.snapshot().openConnections == 0 })
        }
    }

    @Test func manyClientsAtOnce() async throws {
        let threads = 16
        let requestsPerThread = 200
        try await withTestServer { server in
            let port = server.port
            let failures = Mutex<[String]>([])
            let okCount = Atomic<Int>(0)
            let group = DispatchGroup()
            for thread in 0..<threads {
                group.enter()
                Thread {
                    defer { group.leave() }
                    do {
                        let client = try RawClient(port: port)
                        for index in 0..<requestsPerThread {
                            let id = "t\(thread)-r\(index)"
                            let response: RawResponse
                            if index.isMultiple(of: 2) {
                                response = try client.exchange(getRequest("/health", headers: ["X-Request-Id: \(id)"]))
                                guard response.bodyString == #"{"status":"ok"}"# else {
                                    throw ClientError(description: "\(id): unexpected body \(response)")
                                }
                            } else {
                                response = try client.exchange(
                                    postRequest("/echo", body: id, headers: ["X-Request-Id: \(id)"]))
                                guard response.bodyString == id else {
                                    throw ClientError(description: "\(id): echo of another request \(response)")
                                }
                            }
                            guard response.status == 200, response.header("X-Request-Id") == id,
                                !response.closesConnection
                            else { throw ClientError(description: "\(id): \(response)") }
                            okCount.add(1, ordering: .relaxed)
                        }
                        client.close()
                    } catch {
                        failures.withLock { $0.append("thread \(thread): \(error)") }
                    }
                }.start()
            }
            let finished = await onOwnThread { group.wait(timeout: .now() + 60) == .success }
            #expect(finished, "the clients did not finish within 60 s")
            #expect(failures.withLock { $0 } == [])
            let total = threads * requestsPerThread
            #expect(okCount.load(ordering: .relaxed) == total)

            let snapshot = server.statistics.snapshot()
            #expect(snapshot.count(route: "/health", method: "GET", statusClass: "2xx") == UInt64(total / 2))
            #expect(snapshot.count(route: "/echo", method: "POST", statusClass: "2xx") == UInt64(total / 2))
            #expect(snapshot.totalRequests == UInt64(total))
            #expect(snapshot.latency.reduce(0) { $0 + $1.count } == UInt64(total))
            #expect(snapshot.acceptedConnections == UInt64(threads))
            #expect(snapshot.rejectedConnections == 0)
            #expect(snapshot.inFlightRequests == 0)
            #expect(snapshot.bytesReceived > 0 && snapshot.bytesSent > 0)
            #expect(poll(until: 3) { server.statistics.snapshot().openConnections == 0 })
        }
    }
}
