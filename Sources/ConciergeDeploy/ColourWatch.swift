/// The analysis after a flip: every interval until a deadline, one look at the new colour's `/metrics`, judging its
/// traffic since the flip (the baselines) over all its instances.
package struct ColourWatch {
    /// deploy.sh stops the old colour at the end of the grace period, between the two parts of the window.
    package enum Part: String, Sendable, CaseIterable {
        case grace
        case end
    }

    package var limits: TrafficWindow.Limits
    package var intervalSeconds: Double
    /// Each instance's metrics at the flip, in the order `scrape` gives them.
    package var baselines: [InstanceMetrics]

    package init(limits: TrafficWindow.Limits, intervalSeconds: Double, baselines: [InstanceMetrics]) {
        self.limits = limits
        self.intervalSeconds = intervalSeconds
        self.baselines = baselines
    }

    /// When a part of the window ends, in seconds since 1970: the watch lasts the analysis window, and at least as
    /// long as the old colour still runs.
    package static func deadline(
        of part: Part, flip: Double, grace: DeployDuration, analysis: DeployDuration
    )
        -> Double
    {
        let graceEnd = flip + grace.seconds
        switch part {
        case .grace: return graceEnd
        case .end: return max(graceEnd, flip + analysis.seconds)
        }
    }

    /// The window of the baselines alone, no requests: what a watch that has not looked yet reports.
    package var unwatched: TrafficWindow { TrafficWindow(instances: baselines.map { ($0, $0) }) }

    /// Looks until `deadline`, the last look at the deadline itself, passing each window to `report`; throws the
    /// reason of the first failing one, or what `scrape` threw.
    package func run(
        until deadline: Double, clock: some WallClock,
        scrape: () throws -> [InstanceMetrics],
        report: (TrafficWindow, TrafficWindow.Verdict) -> Void
    ) throws {
        while case let remaining = deadline - clock.now(), remaining > 0 {
            clock.sleep(seconds: min(remaining, intervalSeconds))
            let window = TrafficWindow(instances: Array(zip(baselines, try scrape())))
            let verdict = window.verdict(limits)
            report(window, verdict)
            if case .failing(let reason) = verdict { throw DeployCheckError(reason) }
        }
    }
}
