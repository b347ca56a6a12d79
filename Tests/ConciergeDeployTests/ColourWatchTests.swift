import ConciergeDeploy
import Testing

@Suite struct ColourWatchTests {
    /// Time that passes only when the watch sleeps.
    private final class SteppedClock: WallClock {
        var time: Double
        var sleeps: [Double] = []

        init(at time: Double) { self.time = time }

        func now() -> Double { time }

        func sleep(seconds: Double) {
            sleeps.append(seconds)
            time += seconds
        }
    }

    private let limits = TrafficWindow.Limits(maximumErrorRatio: 0.01, maximumP99: 0.25, minimumRequests: 100)

    private func metrics(ok: Int, failed: Int = 0, start: Double = 1000) throws -> InstanceMetrics {
        try InstanceMetrics(exposition: TrafficWindowTests.exposition(start: start, ok: ok, failed: failed))
    }

    /// Two instances at the flip: 10 and 20 requests answered already.
    private func watch() throws -> ColourWatch {
        ColourWatch(limits: limits, intervalSeconds: 1, baselines: [try metrics(ok: 10), try metrics(ok: 20)])
    }

    @Test func looksEveryIntervalAndLastAtTheDeadline() throws {
        let clock = SteppedClock(at: 100)
        var looks = 0
        var lines: [String] = []
        try watch().run(
            until: 103.5, clock: clock,
            scrape: {
                looks += 1
                return [try metrics(ok: 10 + 40 * looks), try metrics(ok: 20 + 40 * looks)]
            },
            report: { window, verdict in lines.append(window.line(judging: verdict)) })
        #expect(clock.sleeps == [1, 1, 1, 0.5])
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("requests=80 errors_5xx=0 ") && lines[0].hasSuffix(" judged=0"), "\(lines)")
        #expect(lines[3].hasPrefix("requests=320 errors_5xx=0 ") && lines[3].hasSuffix(" judged=1"), "both instances")
    }

    @Test func stopsAtTheFirstFailingLook() throws {
        let clock = SteppedClock(at: 100)
        var looks = 0
        #expect(throws: DeployCheckError("5xx ratio 0.0244 (5 of 205) is above 0.01")) {
            try watch().run(
                until: 200, clock: clock,
                scrape: {
                    looks += 1
                    return [
                        try metrics(ok: 10 + 50 * looks, failed: looks == 2 ? 5 : 0), try metrics(ok: 20 + 50 * looks),
                    ]
                }, report: { _, _ in })
        }
        #expect(looks == 2)
    }

    @Test func anInstanceThatRestartedFailsTheWatch() throws {
        let clock = SteppedClock(at: 100)
        #expect(throws: DeployCheckError("it restarted (its process start time changed)")) {
            try watch().run(
                until: 200, clock: clock, scrape: { [try metrics(ok: 0, start: 2000), try metrics(ok: 20)] },
                report: { _, _ in })
        }
    }

    @Test func anInstanceThatDoesNotAnswerFailsTheWatch() throws {
        #expect(throws: DeployCheckError("127.0.0.1:8082 does not answer /metrics")) {
            try watch().run(
                until: 200, clock: SteppedClock(at: 100),
                scrape: { throw DeployCheckError("127.0.0.1:8082 does not answer /metrics") }, report: { _, _ in })
        }
    }

    @Test func aPassedDeadlineLooksNoMore() throws {
        let clock = SteppedClock(at: 100)
        try watch().run(
            until: 100, clock: clock,
            scrape: {
                Issue.record("no look after the deadline")
                return []
            },
            report: { _, _ in })
        #expect(clock.sleeps.isEmpty)
    }

    @Test func beforeTheFirstLookNothingIsCounted() throws {
        #expect(try watch().unwatched.summary == "requests=0 errors_5xx=0 ratio=0.0000 p99_s=nan")
    }

    @Test func theWindowLastsAtLeastAsLongAsTheGracePeriod() throws {
        func deadline(_ part: ColourWatch.Part, grace: String, analysis: String) -> Double {
            ColourWatch.deadline(
                of: part, flip: 1000, grace: DeployDuration(grace)!, analysis: DeployDuration(analysis)!)
        }
        #expect(deadline(.grace, grace: "120", analysis: "300") == 1120)
        #expect(deadline(.end, grace: "120", analysis: "300") == 1300)
        #expect(deadline(.end, grace: "2.5", analysis: "1") == 1002.5)
    }
}
