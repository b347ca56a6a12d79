import ConciergeDeploy
import Testing

@Suite struct TrafficWindowTests {
    /// /metrics as Sources/ConciergeAPI/PrometheusText.swift writes it, for an instance started at `start` that
    /// answered `ok` 2xx and `failed` 5xx /recommend requests (latencies in the 5 ms bucket, and `slow` of the ok
    /// ones in the 0.5 s bucket), and `probes` /health requests that must not count.
    static func exposition(start: Double, ok: Int, failed: Int, slow: Int = 0, probes: Int = 0) -> String {
        func buckets(_ labels: String, fast: Int, slow: Int) -> String {
            [("0.005", fast), ("0.1", fast), ("0.5", fast + slow), ("+Inf", fast + slow)].map {
                "concierge_http_request_duration_seconds_bucket{\(labels),le=\"\($0.0)\"} \($0.1)\n"
            }.joined()
        }
        let recommend2xx = #"route="/recommend",method="GET",status="2xx""#
        let recommend5xx = #"route="/recommend",method="GET",status="5xx""#
        let health = #"route="/health",method="GET",status="5xx""#
        return """
            # HELP concierge_http_requests_total HTTP requests answered, by route, method and status class.
            # TYPE concierge_http_requests_total counter
            concierge_http_requests_total{\(recommend2xx)} \(ok)
            concierge_http_requests_total{\(recommend5xx)} \(failed)
            concierge_http_requests_total{\(health)} \(probes)
            # TYPE concierge_http_request_duration_seconds histogram
            \(buckets(recommend2xx, fast: ok - slow, slow: slow))\
            \(buckets(recommend5xx, fast: failed, slow: 0))\
            \(buckets(health, fast: 0, slow: probes))\
            # TYPE process_start_time_seconds gauge
            process_start_time_seconds \(start)

            """
    }

    private let limits = TrafficWindow.Limits(maximumErrorRatio: 0.01, maximumP99: 0.25, minimumRequests: 100)

    private func window(_ before: String, _ after: String) throws -> TrafficWindow {
        TrafficWindow(from: try InstanceMetrics(exposition: before), to: try InstanceMetrics(exposition: after))
    }

    @Test func countsOnlyTheWindowAndOnlyTheAPI() throws {
        let window = try window(
            Self.exposition(start: 1000, ok: 500, failed: 5, probes: 40),
            Self.exposition(start: 1000, ok: 700, failed: 5, probes: 900))
        #expect(window.requests == 200)
        #expect(window.serverErrors == 0)
        #expect(window.restarted == false)
        // All 200 in (0, 0.005]: rank 198 interpolates to 0.00495.
        #expect(abs(window.p99 - 0.00495) < 1e-12)
        #expect(window.verdict(limits) == .healthy)
        #expect(window.summary == "requests=200 errors_5xx=0 ratio=0.0000 p99_s=0.0050")
    }

    @Test func tooFewRequestsAreNotJudged() throws {
        let window = try window(
            Self.exposition(start: 1, ok: 0, failed: 0), Self.exposition(start: 1, ok: 40, failed: 40))
        #expect(window.verdict(limits) == .tooFewRequests)
    }

    @Test func aHighErrorRatioFails() throws {
        let window = try window(
            Self.exposition(start: 1, ok: 10, failed: 0), Self.exposition(start: 1, ok: 205, failed: 5))
        #expect(window.verdict(limits) == .failing(reason: "5xx ratio 0.0250 (5 of 200) is above 0.01"))
    }

    @Test func aSlowP99Fails() throws {
        // 10 of 200 in (0.1, 0.5]: rank 198 is 8 into that bucket of 10, 0.1 + 0.4·0.8.
        let window = try window(
            Self.exposition(start: 1, ok: 0, failed: 0), Self.exposition(start: 1, ok: 200, failed: 0, slow: 10))
        #expect(abs(window.p99 - 0.42) < 1e-12)
        #expect(window.verdict(limits) == .failing(reason: "p99 of 0.4200 s (over 200 requests) is above 0.25 s"))
    }

    @Test func aRestartFailsWhateverTheCounts() throws {
        let window = try window(
            Self.exposition(start: 1, ok: 500, failed: 0), Self.exposition(start: 2, ok: 0, failed: 0))
        #expect(window.restarted)
        #expect(window.verdict(limits) == .failing(reason: "it restarted (its process start time changed)"))
    }

    /// A colour of two instances is judged on their requests together: neither alone has the 100 requests, and
    /// the slow one's 10 requests are 5 % of the colour's, past the p99.
    @Test func aColourOfSeveralInstancesIsJudgedOnAllTheirRequests() throws {
        let fast = (
            baseline: try InstanceMetrics(exposition: Self.exposition(start: 1, ok: 0, failed: 0)),
            current: try InstanceMetrics(exposition: Self.exposition(start: 1, ok: 95, failed: 1))
        )
        let slow = (
            baseline: try InstanceMetrics(exposition: Self.exposition(start: 2, ok: 0, failed: 0)),
            current: try InstanceMetrics(exposition: Self.exposition(start: 2, ok: 95, failed: 0, slow: 10))
        )
        let window = TrafficWindow(instances: [fast, slow])
        #expect(window.requests == 191)
        #expect(window.serverErrors == 1)
        #expect(window.restarted == false)
        #expect(window.p99 > 0.1)
        #expect(
            window.verdict(limits)
                == .failing(
                    reason: "p99 of \(String(format: "%.4f", window.p99)) s (over 191 requests) is above 0.25 s"))
        let restarted = (
            baseline: fast.baseline,
            current: try InstanceMetrics(exposition: Self.exposition(start: 3, ok: 5, failed: 0))
        )
        #expect(TrafficWindow(instances: [restarted, slow]).restarted)
    }

    @Test func metricsWithoutAStartTimeAreRefused() {
        #expect(throws: DeployCheckError("the metrics have no process_start_time_seconds")) {
            try InstanceMetrics(exposition: "concierge_http_requests_total{route=\"/recommend\"} 3\n")
        }
    }
}
