import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTestSupport
import Foundation
import Testing

@testable import ConciergeReport

@Suite struct TrainingReportTests {
    private static let alsParameters: [String: HyperParameter] = ["factors": 16, "alpha": 10, "seed": 42]

    /// Three candidates where the best MAP is not the chosen one (selection weighs precision among near ties), so
    /// the winner must be found by the version's own settings.
    private static func manifest(
        kind: ModelKind = .als, lossHistory: [Double]? = [1_200, 950, 900],
        hotelMetrics: [String: [String: Double]]? = ["7": ["map@10": 0.2, "coverage": 0.5, "evaluated_users": 40]]
    ) -> ModelManifest {
        ModelManifest(
            model: "roomservice", version: 2, created: "2026-12-04T18:00:00Z", kind: kind,
            hyperParameters: alsParameters.merging(["engine": "native"]) { $1 },
            metrics: [
                "map@10": 0.21, "precision@10": 0.3, "ndcg@10": 0.33, "coverage": 0.8, "evaluated_users": 100,
                "popular.map@10": 0.11, "item-item.map@10": 0.15,
            ],
            candidates: [
                ModelCandidate(
                    kind: .popular, hyperParameters: ["measure": "distinct guests"], metrics: ["map@10": 0.1]),
                ModelCandidate(kind: .als, hyperParameters: alsParameters, metrics: ["map@10": 0.198]),
                ModelCandidate(
                    kind: .als, hyperParameters: alsParameters.merging(["factors": 64]) { $1 },
                    metrics: ["map@10": 0.2]),
            ],
            dataFingerprint: "abc", counts: .init(users: 120, items: 30, hotels: 1, interactions: 500), factors: 16,
            files: [:], dataSeen: .init(guests: 110, items: 30, orderLines: 640, quarantinedRows: 3),
            lossHistory: lossHistory, hotelMetrics: hotelMetrics)
    }

    private static let versions: [TrainingReport.Version] = [
        .init(number: 3, kind: .popular, metrics: ["map@10": 0.12], aliases: ["staging"]),
        .init(number: 1, kind: .als, metrics: ["map@10": 0.18], aliases: []),
        .init(number: 2, kind: .als, metrics: ["map@10": 0.21, "precision@10": 0.3], aliases: ["production"]),
    ]

    /// The elements of `chart` whose tag is `tag`, each as its attributes.
    private func elements(_ tag: String, in chart: String, of page: String) throws -> [[String: String]] {
        let start = try #require(page.range(of: "data-chart=\"\(chart)\""))
        let svg = page[start.lowerBound...]
        let end = try #require(svg.range(of: "</svg>"))
        let body = String(svg[..<end.lowerBound])
        let element = try Regex("<\(tag)([^>]*)>")
        let attribute = try Regex(#"([a-z-]+)="([^"]*)""#)
        return body.matches(of: element).map { match in
            let text = String(match.output[1].substring ?? "")
            return Dictionary(
                text.matches(of: attribute).map {
                    (String($0.output[1].substring ?? ""), String($0.output[2].substring ?? ""))
                }
            ) { first, _ in first }
        }
    }

    @Test func theCandidatesChartMarksTheCandidateTheVersionWasRefittedFrom() throws {
        let report = TrainingReport(
            model: "roomservice", version: 2, manifest: Self.manifest(), versions: Self.versions)
        #expect(report.winnerIndex == 1)
        let bars = try elements("rect", in: "candidates", of: report.html)
        #expect(bars.map { $0["data-value"] } == ["0.1", "0.198", "0.2"])
        #expect(bars.map { $0["data-highlighted"] } == ["false", "true", "false"])
        #expect(bars.map { $0["data-label"] } == ["popular", "als factors=16", "als factors=64"])
        #expect(report.html.components(separatedBy: "★ chosen").count == 2, "one candidate is marked in words too")
    }

    @Test func candidatesAreLabelledByTheSettingsThatTellThemApart() {
        let grid = [Float(0.01), 0.1].map { regularization in
            ModelCandidate(
                kind: .als, hyperParameters: ["factors": 16, "regularization": .number(Double(regularization))],
                metrics: [:])
        }
        let labels = TrainingReport.candidateLabels(
            grid + [ModelCandidate(kind: .popular, hyperParameters: ["measure": "units"], metrics: [:])])
        #expect(labels == ["als regularization=0.01", "als regularization=0.1", "popular"])
    }

    @Test func theHoldoutChartSetsTheVersionAgainstEachBaseline() throws {
        let report = TrainingReport(
            model: "roomservice", version: 2, manifest: Self.manifest(), versions: Self.versions)
        let bars = try elements("rect", in: "holdout", of: report.html).filter { $0["data-metric"] == "map@10" }
        #expect(bars.map { $0["data-model"] } == ["version", "item-item", "popular"])
        #expect(bars.map { $0["data-value"] } == ["0.21", "0.15", "0.11"])
    }

    /// Training measures on the holdout its choice on the training part and serves its choice on all data: when
    /// they differ the page says which model the figures are of, and says nothing more when they are the same.
    @Test func aHoldoutModelOtherThanTheServedOneIsNamed() throws {
        var manifest = Self.manifest()
        manifest.candidates[1].name = "als(factors 16, alpha 10)"
        manifest.candidates[2].name = "als(factors 64, alpha 10)"
        manifest.holdoutModel = "als(factors 64, alpha 10)"
        let report = TrainingReport(model: "roomservice", version: 2, manifest: manifest, versions: Self.versions)
        #expect(report.holdoutModelOtherThanServed?.holdout == "als(factors 64, alpha 10)")
        #expect(report.holdoutModelOtherThanServed?.served == "als(factors 16, alpha 10)")
        let page = report.html
        #expect(
            page.contains(
                "The holdout measured als(factors 64, alpha 10), the selection&#39;s choice on the training part"))
        #expect(page.contains("this version serves als(factors 16, alpha 10), the same selection&#39;s choice on all"))
        let bars = try elements("rect", in: "holdout", of: page).filter { $0["data-model"] == "version" }
        #expect(!bars.isEmpty && bars.allSatisfy { $0["data-label"]?.hasSuffix("holdout&#39;s choice") == true })

        manifest.holdoutModel = "als(factors 16, alpha 10)"
        let same = TrainingReport(model: "roomservice", version: 2, manifest: manifest, versions: Self.versions)
        #expect(same.holdoutModelOtherThanServed == nil)
        #expect(!same.html.contains("The holdout measured"))
        #expect(same.html.contains("Holdout: this version against the baselines"))
    }

    @Test func hotelsLossDataAndHistoryCarryTheManifestsFigures() throws {
        let page = TrainingReport(model: "roomservice", version: 2, manifest: Self.manifest(), versions: Self.versions)
            .html
        #expect(try elements("rect", in: "hotel-map", of: page).map { $0["data-value"] } == ["0.2"])
        #expect(try elements("rect", in: "hotel-coverage", of: page).map { $0["data-hotel"] } == ["7"])
        let loss = try elements("circle", in: "loss", of: page)
        #expect(loss.map { $0["data-y"] } == ["1200.0", "950.0", "900.0"])
        #expect(loss.map { $0["data-x"] } == ["1.0", "2.0", "3.0"])
        #expect(page.contains("<td>Order lines learnt from</td><td>640</td>"))
        #expect(page.contains("<td>Rows quarantined by ingest</td><td>3</td>"))
        // Version 3 came later: it is in the alias table but not in version 2's history.
        let history = try elements("circle", in: "history", of: page).filter { $0["data-series"] == "MAP@10" }
        #expect(history.map { $0["data-x"] } == ["1.0", "2.0"])
        #expect(history.map { $0["data-highlighted"] } == ["false", "true"])
        #expect(page.contains("<tr><td>production</td><td>2</td></tr><tr><td>staging</td><td>3</td></tr>"))
    }

    @Test func aManifestWithoutLossHistoryOrHotelsSaysSoInsteadOfDrawing() {
        let page = TrainingReport(
            model: "roomservice", version: 2, manifest: Self.manifest(lossHistory: nil, hotelMetrics: nil),
            versions: Self.versions
        ).html
        #expect(!page.contains("data-chart=\"loss\""))
        #expect(!page.contains("data-chart=\"hotel-map\""))
        #expect(page.contains("This version records no loss per iteration."))
        #expect(page.contains("This version records no per-hotel metrics."))
        let popular = TrainingReport(
            model: "roomservice", version: 2, manifest: Self.manifest(kind: .popular, lossHistory: nil),
            versions: Self.versions
        ).html
        #expect(popular.contains("A popular version has no training loss."))
    }

    @Test func anImportWithNothingButCountsStillMakesAPage() {
        var manifest = Self.manifest(lossHistory: nil, hotelMetrics: nil)
        manifest.metrics = [:]
        manifest.candidates = []
        manifest.dataSeen = nil
        let page = TrainingReport(model: "roomservice", version: 1, manifest: manifest, versions: []).html
        #expect(!page.contains("<svg"))
        #expect(!page.lowercased().contains("nan"))
        #expect(page.contains("This version records no candidates&#39; validation metrics."))
        #expect(page.contains("<td>Guests with a paid order</td><td>not recorded</td>"))
        #expect(page.contains("No alias points at a version of roomservice."))
        #expect(page.hasSuffix("</html>\n"))
    }

    @Test func textFromTheManifestIsEscapedEverywhere() {
        let hostile = "<script>alert(\"x\")</script>"
        var manifest = Self.manifest(hotelMetrics: [hostile: ["map@10": 0.1, "coverage": 0.2]])
        manifest.hyperParameters["note"] = .string(hostile)
        manifest.candidates[0].hyperParameters["measure"] = .string(hostile)
        manifest.candidates.append(
            ModelCandidate(kind: .popular, hyperParameters: ["measure": "units"], metrics: ["map@10": 0.05]))
        let page = TrainingReport(
            model: "room\"service", version: 2, manifest: manifest,
            versions: [.init(number: 2, kind: .als, metrics: [:], aliases: ["<b>"])]
        ).html
        #expect(!page.contains("<script"))
        #expect(!page.contains("<b>"))
        #expect(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
        #expect(page.contains("room&quot;service version 2"))
    }

    @Test func theSampleModelsPageHasEveryCandidateAndEveryHotel() throws {
        let registry = ModelRegistry(directory: SampleModel.registry.directory)
        let report = try TrainingReport(registry: registry, model: "roomservice", versionOrAlias: "production")
        let page = report.html
        let bars = try elements("rect", in: "candidates", of: page)
        #expect(bars.count == report.manifest.candidates.count)
        #expect(bars.count { $0["data-highlighted"] == "true" } == 1)
        let hotels = try #require(report.manifest.hotelMetrics)
        #expect(try elements("rect", in: "hotel-coverage", of: page).count == hotels.count)
        #expect(page.contains("<tr><td>production</td><td>\(report.version)</td></tr>"))
    }
}
