import ArgumentParser
import ConciergeDeploy
import ConciergeRegistry
import Foundation

/// `concierge deploy-check …`: what deploy/deploy.sh asks of a new colour before and after it gets traffic.
/// The judging is ConciergeDeploy's; this fetches the answers, prints the findings and exits 1 with the reason
/// when the colour fails.
struct DeployCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy-check",
        abstract: "The checks deploy/deploy.sh runs on a new colour: golden requests, then its traffic after the flip.",
        subcommands: [
            Golden.self, Judge.self, Watch.self, Settings.self, Upstream.self, ActiveColour.self, Ready.self,
            Serving.self, Status.self, Hosts.self, Health.self, InstanceEnv.self,
        ])

    struct Golden: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send the golden requests to a new colour: each must answer 200 with items.",
            discussion: """
                With --active, the same requests go to the active colour too, and the mean share of its items the \
                new answers keep is printed; under --min-overlap, the check fails. Options not given take their \
                CONCIERGE_DEPLOY_* setting (docs/deploy.md).
                """)

        @Option(help: ArgumentHelp("The new colour's base URL.", valueName: "url"))
        var new: String?

        @Option(
            help: """
                Instead of --new, each instance of this colour; unless --active is given, the answers are compared \
                with the first instance of the other colour that is ready.
                """)
        var colour: Colour?

        @Option(help: ArgumentHelp("The active colour's base URL, to measure the overlap with.", valueName: "url"))
        var active: String?

        @Option(
            help: ArgumentHelp(
                """
                A file of requests, one a line: "guest ID" (GET /recommend) or "item ID" (GET /similar); # comments. \
                Default: CONCIERGE_DEPLOY_GOLDEN_REQUESTS, or 20 guests and 10 items spread over the ids of \
                --model's --version.
                """, valueName: "file"))
        var requests: String?

        @Option(help: "The model whose ids the default requests use. Default: CONCIERGE_DEPLOY_MODEL.")
        var model: String?

        @Option(help: "The version number or alias whose ids the default requests use.")
        var version: String?

        @Option(
            help: """
                The least mean share (0 to 1) of the active colour's items the new answers must keep. \
                Default: CONCIERGE_DEPLOY_GOLDEN_MIN_OVERLAP.
                """)
        var minOverlap: Double?

        @Option(help: ArgumentHelp("The registry folder. Default: CONCIERGE_DEPLOY_REGISTRY.", valueName: "path"))
        var registry: String?

        @Option(help: "Seconds to wait for each answer.")
        var timeout = 2.0

        @OptionGroup var credentials: CredentialsFile

        func validate() throws {
            guard (new == nil) != (colour == nil) else { throw ValidationError("give --new or --colour") }
            guard (0...1).contains(minOverlap ?? 0) else {
                throw ValidationError("--min-overlap must be between 0 and 1")
            }
        }

        func run() throws {
            let settings = try InstanceProbe.settings()
            let golden = try goldenRequests(settings)
            let minimum = minOverlap ?? Double(settings.goldenMinimumOverlap) ?? 0
            let token = try credentials.token(orSetting: settings)
            if let new {
                return try check(golden, new: new, active: active, minimum: minimum, token: token, indent: "")
            }
            guard let colour else { return }
            let active = active ?? InstanceProbe.firstReady(colour.other, settings).map { "http://\($0)" }
            for instance in settings.instances[colour] ?? [] {
                print("\(instance):")
                try check(
                    golden, new: "http://\(instance)", active: active, minimum: minimum, token: token, indent: "  ")
            }
        }

        private func check(
            _ golden: [GoldenRequest], new: String, active: String?, minimum: Double, token: String?, indent: String
        )
            throws
        {
            let answers = golden.map { fetch($0, from: new, bearerToken: token) }
            let failures = zip(golden, answers).filter { !$0.1.answer.isGood }
            for (request, fetched) in failures.prefix(5) {
                print("\(indent)  \(request.path): \(fetched.answer.status) \(fetched.text.prefix(200))")
            }
            guard failures.isEmpty else {
                throw CommandFailure(
                    "\(new): \(failures.count) of \(golden.count) golden requests did not answer 200 with items")
            }
            print("\(indent)golden requests: \(golden.count) of \(golden.count) answered 200 with items")
            var overlap = GoldenOverlap()
            if let active {
                for (request, fetched) in zip(golden, answers) {
                    overlap.compare(
                        new: fetched.answer.itemIDs,
                        active: fetch(request, from: active, bearerToken: token).answer.itemIDs)
                }
            }
            guard let mean = overlap.mean, let lowest = overlap.lowest else {
                print("\(indent)no answers from an active colour to compare with: overlap not measured")
                return
            }
            print(
                "\(indent)overlap with \(active ?? "")'s answers (share of its items kept): mean \(Self.figure(mean)), "
                    + "lowest \(Self.figure(lowest)), all kept in \(overlap.identical) of \(overlap.compared)")
            if mean < minimum {
                throw CommandFailure("\(new): mean overlap \(Self.figure(mean)) is under --min-overlap \(minimum)")
            }
        }

        private func goldenRequests(_ settings: DeploySettings) throws -> [GoldenRequest] {
            if let requests = requests ?? (settings.goldenRequests.isEmpty ? nil : settings.goldenRequests) {
                let text: String
                do { text = try String(contentsOfFile: requests, encoding: .utf8) } catch {
                    throw CommandFailure("cannot read the golden requests \(requests): \(error.localizedDescription)")
                }
                let golden = try GoldenRequest.parse(text, file: requests)
                guard !golden.isEmpty else { throw CommandFailure("no golden requests in \(requests)") }
                return golden
            }
            guard let version else {
                throw ValidationError("give --requests, or --version for requests spread over that version's ids")
            }
            let loaded = try ModelRegistry(directory: registry ?? settings.registry).open(
                model: model ?? settings.model, versionOrAlias: version)
            return GoldenRequest.spread(20, over: loaded.userCount).map { .guest(loaded.userID($0)) }
                + GoldenRequest.spread(10, over: loaded.itemCount).map { .item(loaded.itemID($0)) }
        }

        /// The colour's answer and its body; no answer at all is status 0, with the reason for text.
        private func fetch(
            _ request: GoldenRequest, from base: String, bearerToken: String?
        ) -> (answer: GoldenAnswer, text: String) {
            do {
                guard
                    let answer = try HealthProbe.get(
                        url: base + request.path, caFile: nil, timeout: timeout, bearerToken: bearerToken)
                else {
                    return (GoldenAnswer(status: 0, itemIDs: []), "\(base) is not an http:// or https:// URL")
                }
                return (GoldenAnswer(status: answer.status, body: answer.body), answer.body)
            } catch {
                return (GoldenAnswer(status: 0, itemIDs: []), "no answer: \(error)")
            }
        }

        private static func figure(_ share: Double) -> String { String(format: "%.3f", share) }
    }

    struct Judge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Judge a colour's traffic since a baseline of its /metrics: its 5xx ratio and p99 latency.",
            discussion: """
                Counts the API's requests (not /health, /live or /metrics) between the baselines and the instances' \
                /metrics now, over all the colour's instances; p99 as Prometheus's histogram_quantile computes it \
                on their buckets added up. Prints one line, \
                requests=… errors_5xx=… ratio=… p99_s=… judged=0|1 (0: fewer than --min-requests, not judged); \
                exits 1 when a limit is passed or the colour restarted.
                """)

        @Option(help: ArgumentHelp("An instance's base URL; one per instance of the colour.", valueName: "url"))
        var url: [String]

        @Option(
            help: ArgumentHelp(
                "A file with the text of the instance's /metrics when the window began; one per --url, in order.",
                valueName: "file"))
        var baseline: [String]

        @OptionGroup var limits: TrafficLimitOptions

        @Option(help: "Seconds to wait for /metrics.")
        var timeout = 2.0

        @OptionGroup var credentials: CredentialsFile

        func validate() throws {
            guard !url.isEmpty, url.count == baseline.count else {
                throw ValidationError("give one --baseline for each --url, at least one of each")
            }
        }

        func run() throws {
            let settings = try InstanceProbe.settings()
            let token = try credentials.token(orSetting: settings)
            let instances = try zip(url, baseline).map { url, baseline in
                let before: String
                do { before = try String(contentsOfFile: baseline, encoding: .utf8) } catch {
                    throw CommandFailure("cannot read the baseline \(baseline): \(error.localizedDescription)")
                }
                return (
                    baseline: try InstanceMetrics(exposition: before),
                    current: try InstanceMetrics(
                        exposition: InstanceProbe.metricsText(at: url, timeout: timeout, bearerToken: token))
                )
            }
            let window = TrafficWindow(instances: instances)
            let verdict = window.verdict(limits.limits(settings))
            print(window.line(judging: verdict))
            if case .failing(let reason) = verdict { throw CommandFailure(reason) }
        }
    }
}
