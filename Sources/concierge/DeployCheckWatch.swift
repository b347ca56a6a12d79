import ArgumentParser
import ConciergeDeploy
import Foundation

extension ColourWatch.Part: ExpressibleByArgument {}

extension DeployCheck {
    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Watch a colour after the flip: its traffic since then, judged every interval.",
            discussion: """
                The first run saves the /metrics of the colour's instances and the time of the flip in --window; \
                each run then judges their traffic since, added up, every CONCIERGE_DEPLOY_ANALYSIS_INTERVAL until \
                --until: the end of the grace period (CONCIERGE_DEPLOY_GRACE_SECONDS; deploy.sh then stops the old \
                colour) or of the window (CONCIERGE_DEPLOY_ANALYSIS_SECONDS, and at least the grace period). Each \
                look prints "COLOUR since the flip: requests=… errors_5xx=… ratio=… p99_s=… judged=0|1" and leaves \
                that summary in WINDOW/summary; exits 1 with the reason when the colour fails, restarts or an \
                instance does not answer.
                """)

        @Argument(help: "blue or green.")
        var colour: Colour

        @Option(
            help: ArgumentHelp("A folder for the baselines, the flip's time and the summary.", valueName: "folder"))
        var window: String

        @Option(help: "The part of the window to watch: grace or end.")
        var until: ColourWatch.Part

        @OptionGroup var limits: TrafficLimitOptions

        @Option(help: "Seconds to wait for /metrics.")
        var timeout = 2.0

        @OptionGroup var credentials: CredentialsFile

        func run() throws {
            let settings = try InstanceProbe.settings()
            let token = try credentials.token(orSetting: settings)
            let urls = (settings.instances[colour] ?? []).map { "http://\($0)" }
            let limits = limits.limits(settings)
            do {
                let (flip, isNew) = try startWindow(urls, token: token)
                let watch = ColourWatch(
                    limits: limits, intervalSeconds: settings.analysisInterval.seconds,
                    baselines: try urls.map { try InstanceMetrics(exposition: read(baselineFile($0))) })
                if isNew { try record(watch.unwatched, watch.unwatched.verdict(limits)) }
                try watch.run(
                    until: ColourWatch.deadline(
                        of: until, flip: flip, grace: settings.graceSeconds, analysis: settings.analysisSeconds),
                    clock: SystemWallClock(),
                    scrape: {
                        try urls.map { url in
                            try InstanceMetrics(
                                exposition: InstanceProbe.metricsText(at: url, timeout: timeout, bearerToken: token))
                        }
                    },
                    report: { traffic, verdict in
                        print("\(colour) since the flip: \(traffic.line(judging: verdict))")
                        try? record(traffic, verdict)
                    })
            } catch let error as DeployCheckError {
                throw CommandFailure("\(colour): \(error)")
            }
        }

        /// The flip's time, read back from the window; or now, for a new window, once each instance's /metrics
        /// is saved as its baseline (the time is written last: a window with one is complete).
        private func startWindow(_ urls: [String], token: String?) throws -> (flip: Double, isNew: Bool) {
            let flipFile = window + "/flip"
            if let flip = try? Double(read(flipFile)) { return (flip, false) }
            let flip = SystemWallClock().now()
            try FileManager.default.createDirectory(atPath: window, withIntermediateDirectories: true)
            for url in urls {
                try InstanceProbe.metricsText(at: url, timeout: timeout, bearerToken: token).write(
                    toFile: baselineFile(url), atomically: true, encoding: .utf8)
            }
            try String(flip).write(toFile: flipFile, atomically: true, encoding: .utf8)
            return (flip, true)
        }

        private func read(_ file: String) throws -> String { try String(contentsOfFile: file, encoding: .utf8) }

        private func baselineFile(_ url: String) -> String {
            window + "/" + url.replacingOccurrences(of: "http://", with: "") + ".metrics"
        }

        /// The last look's summary, for the deploy log.
        private func record(_ traffic: TrafficWindow, _ verdict: TrafficWindow.Verdict) throws {
            try traffic.line(judging: verdict).write(toFile: window + "/summary", atomically: true, encoding: .utf8)
        }
    }
}
