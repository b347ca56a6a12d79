import ConciergeTestSupport
import Foundation
import Testing

/// `concierge serve` on the sample model, driven over a real port with curl: what only a server adds to the
/// routes' answers (its headers, its request counters) and many connections at once. The routes themselves are
/// ServiceRouteTests, in process.
@Suite(.serialized) struct ServiceEndToEndTests {
    private static func startServer(_ arguments: [String] = []) throws -> ServeProcess {
        let binary = try #require(requireConciergeBinary())
        let server = try ServeProcess(binary: binary, arguments: arguments)
        try #require(server.waitUntilReady(), "serve did not get ready: \(server.log)")
        return server
    }

    @Test func concurrentAnswersMatchSequentialOnes() async throws {
        let server = try Self.startServer()
        defer { server.stop() }
        let model = try SampleModel.registry.open()
        let urls = (0..<24).map {
            "http://127.0.0.1:\(server.port)/recommend?user=\(model.userID($0 * 7 % model.userCount))&k=8"
        }
        let sequential = try urls.map { try Curl.get($0).body }
        // Eight clients at once, each walking the list from another place: many connections in flight together.
        let concurrent = try await withThrowingTaskGroup(of: [(Int, String)].self) { group in
            for client in 0..<8 {
                group.addTask {
                    try (0..<urls.count).map { step in
                        let index = (client * 3 + step) % urls.count
                        return (index, try Curl.get(urls[index]).body)
                    }
                }
            }
            return try await group.reduce(into: [(Int, String)]()) { $0 += $1 }
        }
        #expect(concurrent.count == 8 * urls.count)
        for (index, body) in concurrent {
            #expect(body == sequential[index], "request \(index) answered differently under concurrency")
        }
    }

    @Test func everyAnswerNamesTheVersionAndColour() throws {
        let server = try Self.startServer(["--color", "green"])
        defer { server.stop() }
        let health = try Curl.get("http://127.0.0.1:\(server.port)/health")
        #expect(health.json["color"] as? String == "green")
        #expect(health.headers["x-concierge-model"] == "roomservice/1")
        #expect(health.headers["x-concierge-color"] == "green")
        let error = try Curl.get("http://127.0.0.1:\(server.port)/recommend?k=0")
        #expect(error.status == 400)
        #expect(error.headers["x-concierge-color"] == "green", "errors name who answered too")
    }

    @Test func metricsCountTheRequestsServed() throws {
        let server = try Self.startServer()
        defer { server.stop() }
        let model = try SampleModel.registry.open()
        for user in 0..<6 { _ = try Curl.get("http://127.0.0.1:\(server.port)/recommend?user=\(model.userID(user))") }
        let metrics = try Curl.get("http://127.0.0.1:\(server.port)/metrics")
        #expect(metrics.status == 200)
        #expect(
            metrics.body.contains(#"concierge_http_requests_total{route="/recommend",method="GET",status="2xx"} 6"#))
    }
}
