import ArgumentParser
import ConciergeDeploy

/// The limits `deploy-check judge` and `watch` hold a colour's traffic to; each defaults to its deploy setting.
struct TrafficLimitOptions: ParsableArguments {
    @Option(
        name: .customLong("max-5xx-ratio"),
        help: "The share of 5xx answers past which the colour fails. Default: CONCIERGE_DEPLOY_MAX_5XX_RATIO.")
    var maxErrorRatio: Double?

    @Option(
        name: .customLong("max-p99"),
        help: "The p99 latency in seconds past which the colour fails. Default: CONCIERGE_DEPLOY_MAX_P99_SECONDS.")
    var maxP99: Double?

    @Option(
        help:
            "Requests the colour must have answered before it is judged. Default: CONCIERGE_DEPLOY_ANALYSIS_MIN_REQUESTS."
    )
    var minRequests: Int?

    func limits(_ settings: DeploySettings) -> TrafficWindow.Limits {
        var limits = settings.trafficLimits
        if let maxErrorRatio { limits.maximumErrorRatio = maxErrorRatio }
        if let maxP99 { limits.maximumP99 = maxP99 }
        if let minRequests { limits.minimumRequests = minRequests }
        return limits
    }
}
