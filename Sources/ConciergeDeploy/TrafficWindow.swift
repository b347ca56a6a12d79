import Foundation

/// A new colour's traffic between two looks at its `/metrics`, and whether a deploy may keep it.
package struct TrafficWindow: Sendable, Equatable {
    package struct Limits: Sendable, Equatable {
        /// Past this share of 5xx answers, the deploy rolls back.
        package var maximumErrorRatio: Double
        /// Past this p99 latency in seconds, the deploy rolls back.
        package var maximumP99: Double
        /// Fewer requests than this are not judged: a ratio of 1 in 3 says nothing.
        package var minimumRequests: Int

        package init(maximumErrorRatio: Double, maximumP99: Double, minimumRequests: Int) {
            self.maximumErrorRatio = maximumErrorRatio
            self.maximumP99 = maximumP99
            self.minimumRequests = minimumRequests
        }
    }

    package enum Verdict: Sendable, Equatable {
        case tooFewRequests
        case healthy
        case failing(reason: String)
    }

    package var requests: Int
    package var serverErrors: Int
    /// 5xx answers over requests; 0 without requests.
    package var errorRatio: Double
    /// `histogram_quantile(0.99, …)` of the window's latency; NaN without requests.
    package var p99: Double
    /// The process started again in between: its counters started again too, so the window means nothing.
    package var restarted: Bool

    package init(from baseline: InstanceMetrics, to current: InstanceMetrics) {
        requests = Int(current.requests - baseline.requests)
        serverErrors = Int(current.serverErrors - baseline.serverErrors)
        errorRatio = requests > 0 ? Double(serverErrors) / Double(requests) : 0
        p99 = current.latency.subtracting(baseline.latency).quantile(0.99)
        restarted = current.startTime != baseline.startTime
    }

    package func verdict(_ limits: Limits) -> Verdict {
        if restarted { return .failing(reason: "it restarted (its process start time changed)") }
        guard requests >= limits.minimumRequests else { return .tooFewRequests }
        if errorRatio > limits.maximumErrorRatio {
            return .failing(
                reason: "5xx ratio \(Self.figure(errorRatio)) (\(serverErrors) of \(requests)) is above "
                    + "\(limits.maximumErrorRatio)")
        }
        if p99 > limits.maximumP99 {
            return .failing(
                reason: "p99 of \(Self.figure(p99)) s (over \(requests) requests) is above \(limits.maximumP99) s")
        }
        return .healthy
    }

    /// `requests=… errors_5xx=… ratio=… p99_s=…`: the deploy log's fields, read by people and scripts alike.
    package var summary: String {
        "requests=\(requests) errors_5xx=\(serverErrors) ratio=\(Self.figure(errorRatio)) p99_s=\(Self.figure(p99))"
    }

    /// Four decimals, as the deploy log has always written them.
    static func figure(_ value: Double) -> String { String(format: "%.4f", value) }
}
