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
        self.init(instances: [(baseline, current)])
    }

    /// A colour of several instances: their windows added up, as `sum()` over the instances would, and the
    /// p99 of all their requests together.
    package init(instances: [(baseline: InstanceMetrics, current: InstanceMetrics)]) {
        requests = Int(instances.reduce(0) { $0 + $1.current.requests - $1.baseline.requests })
        serverErrors = Int(instances.reduce(0) { $0 + $1.current.serverErrors - $1.baseline.serverErrors })
        errorRatio = requests > 0 ? Double(serverErrors) / Double(requests) : 0
        p99 = ClassicHistogram(instances.flatMap { $0.current.latency.subtracting($0.baseline.latency).buckets })
            .quantile(0.99)
        restarted = instances.contains { $0.current.startTime != $0.baseline.startTime }
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

    /// The summary and `judged=0` when there were too few requests to judge, else `judged=1`.
    package func line(judging verdict: Verdict) -> String {
        summary + " judged=\(verdict == .tooFewRequests ? 0 : 1)"
    }

    /// Four decimals, as the deploy log has always written them.
    static func figure(_ value: Double) -> String { String(format: "%.4f", value) }
}
