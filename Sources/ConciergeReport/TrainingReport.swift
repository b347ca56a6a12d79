public import ConciergeModelFormat

/// One self-contained HTML page about a model version: how its candidates compared on the validation split, how it
/// measured against the baselines on the holdout, overall and per hotel, how ALS converged, what data it saw, and
/// where it stands among the model's versions. Inline SVG and CSS only: no script, font or network, which the
/// page's Content-Security-Policy enforces.
public struct TrainingReport: Sendable {
    /// A version of the model as the registry lists it.
    public struct Version: Sendable, Equatable {
        public var number: Int
        public var kind: ModelKind
        public var metrics: [String: Double]
        public var aliases: [String]

        public init(number: Int, kind: ModelKind, metrics: [String: Double], aliases: [String]) {
            self.number = number
            self.kind = kind
            self.metrics = metrics
            self.aliases = aliases
        }
    }

    public var model: String
    public var version: Int
    public var manifest: ModelManifest
    /// Every version of the model; the history chart shows those up to `version`, the alias table all of them.
    public var versions: [Version]

    public init(model: String, version: Int, manifest: ModelManifest, versions: [Version]) {
        self.model = model
        self.version = version
        self.manifest = manifest
        self.versions = versions.sorted { $0.number < $1.number }
    }

    /// The candidate the version was refitted from: the one whose kind and hyper-parameters the version has (the
    /// version adds settings of its own, such as the engine, but never changes a candidate's). Nil when no
    /// candidate matches, as in an import that lists none.
    public var winnerIndex: Int? {
        manifest.candidates.firstIndex { candidate in
            candidate.kind == manifest.kind
                && candidate.hyperParameters.allSatisfy { manifest.hyperParameters[$0.key] == $0.value }
        }
    }

    public var html: String {
        let title = "\(model) version \(version)"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <h1>\(HTML.escape(title))</h1>
            <p class="summary">\(HTML.escape(summary))</p>
            \(candidatesSection)
            \(holdoutSection)
            \(hotelSection)
            \(lossSection)
            \(dataSection)
            \(historySection)
            </body>
            </html>

            """
    }

    private var summary: String {
        let aliases = versions.first { $0.number == version }?.aliases ?? []
        return [
            "kind \(manifest.kind.rawValue)", manifest.created.map { "created \($0)" },
            aliases.isEmpty ? nil : "aliases: " + aliases.joined(separator: ", "),
        ].compactMap { $0 }.joined(separator: " · ")
    }

    // MARK: Candidates

    private var candidatesSection: String {
        let candidates = manifest.candidates
        let selection = candidates.lazy.compactMap { ModelMetric.own(.meanAveragePrecision, in: $0.metrics) }.first
        guard !candidates.isEmpty, let selection else {
            return section(
                "Candidates on the validation split", id: "candidates",
                body: Self.missing("This version records no candidates' validation metrics."))
        }
        let winner = winnerIndex
        let labels = Self.candidateLabels(candidates)
        let bars = candidates.enumerated().compactMap { index, candidate -> BarChart.Bar? in
            guard let value = candidate.metrics[selection.metric.key] else { return nil }
            return BarChart.Bar(
                label: labels[index], value: value, isHighlighted: index == winner,
                marker: index == winner ? "★ chosen" : "",
                note: "\(labels[index])\(index == winner ? " (chosen)" : ""): "
                    + Self.describe(candidate.metrics) + "\n" + Self.describe(candidate.hyperParameters),
                attributes: [("data-candidate", String(index)), ("data-kind", candidate.kind.rawValue)])
        }
        let chart = BarChart(
            name: "candidates", axisTitle: "\(selection.metric.label) on the validation split", bars: bars)
        let chosen =
            winner.map { "The chosen candidate, ★, was refitted on all data: \(labels[$0])." }
            ?? "No candidate has this version's kind and hyper-parameters."
        let rows = candidates.enumerated().map { index, candidate in
            [labels[index] + (index == winner ? " ★" : "")]
                + Self.measures.map { measure in
                    ModelMetric.own(measure, in: candidate.metrics).map { ReportNumber.text($0.value) } ?? "–"
                }
        }
        return section(
            "Candidates on the validation split", id: "candidates",
            body: "<p>\(HTML.escape(chosen)) Training chooses by \(HTML.escape(selection.metric.label)) here; "
                + "the holdout below never chooses.</p>" + chart.svg
                + "<details><summary>Every candidate's figures</summary>"
                + Self.table(header: ["Candidate"] + Self.measures.map(\.rawValue), rows: rows) + "</details>")
    }

    private static let measures: [ModelMetric.Measure] = [.precision, .meanAveragePrecision, .ndcg]

    /// The kind, then the hyper-parameters that tell the kind's candidates apart: `als factors=16 alpha=10`.
    static func candidateLabels(_ candidates: [ModelCandidate]) -> [String] {
        let byKind = Dictionary(grouping: candidates, by: \.kind)
        return candidates.map { candidate in
            let siblings = byKind[candidate.kind] ?? []
            let varying = candidate.hyperParameters.keys.sorted().filter { key in
                Set(siblings.map { $0.hyperParameters[key] }).count > 1
            }
            let settings = varying.map { key in
                switch candidate.hyperParameters[key]! {
                // Grids of Float settings reach the manifest as 0.009999999776482582: six digits say 0.01.
                case .number(let value): "\(key)=\(String(format: "%g", value))"
                case let other: "\(key)=\(other)"
                }
            }
            return ([candidate.kind.rawValue] + settings).joined(separator: " ")
        }
    }

    // MARK: Holdout

    /// The candidate the holdout measured, when it is not the one this version serves: training chooses the served
    /// model on all data, and can only measure on the holdout its choice on the rest. Nil when they are the same, or
    /// when the version does not say (`holdout_model` absent, or no candidate is the served one).
    public var holdoutModelOtherThanServed: (holdout: String, served: String)? {
        guard let holdout = manifest.holdoutModel, let winner = winnerIndex,
            let served = manifest.candidates[winner].name, served != holdout
        else { return nil }
        return (holdout, served)
    }

    private var holdoutSection: String {
        let metrics = manifest.metrics
        let other = holdoutModelOtherThanServed
        // Bars of the measured model say which model that is when it is not this version's.
        let measured = other == nil ? "this version" : "holdout's choice"
        let baselines = Set(metrics.keys.compactMap { key in key.lastIndex(of: ".").map { String(key[..<$0]) } })
            .sorted()
        var bars: [BarChart.Bar] = []
        for measure in Self.measures {
            guard let own = ModelMetric.own(measure, in: metrics) else { continue }
            bars.append(
                .init(
                    label: "\(own.metric.label) · \(measured)", value: own.value, isHighlighted: true,
                    attributes: [("data-model", "version"), ("data-metric", own.metric.key)]))
            for baseline in baselines {
                let key = ModelMetric(measure, at: own.metric.cutoff, baseline: baseline).key
                guard let value = metrics[key] else { continue }
                bars.append(
                    .init(
                        label: "\(own.metric.label) · \(baseline)", value: value,
                        attributes: [("data-model", baseline), ("data-metric", own.metric.key)]))
            }
        }
        for key in ["auc", "coverage"] {
            guard let value = metrics[key] else { continue }
            bars.append(
                .init(
                    label: "\(key) · \(measured)", value: value, isHighlighted: true,
                    attributes: [("data-model", "version"), ("data-metric", key)]))
            for baseline in baselines {
                guard let value = metrics["\(baseline).\(key)"] else { continue }
                bars.append(
                    .init(
                        label: "\(key) · \(baseline)", value: value,
                        attributes: [("data-model", baseline), ("data-metric", key)]))
            }
        }
        guard !bars.isEmpty else {
            return section(
                "Holdout: this version against the baselines", id: "holdout",
                body: Self.missing("This version records no holdout metrics."))
        }
        let guests = metrics["evaluated_users"].map { " over \(ReportNumber.count(Int($0))) guests" } ?? ""
        var text = "Measured on items held out of training\(guests), which the measured model never saw."
        if let other {
            text +=
                " The holdout measured \(other.holdout), the selection's choice on the training part (all data less "
                + "the holdout); this version serves \(other.served), the same selection's choice on all data, "
                + "refitted on all of it. These figures estimate the selection, not the served model itself."
        }
        return section(
            "Holdout: \(other == nil ? "this version" : "the selection's choice") against the baselines", id: "holdout",
            body: "<p class=\"holdout-model\">\(HTML.escape(text))</p>"
                + BarChart(name: "holdout", axisTitle: "holdout metric", bars: bars).svg)
    }

    // MARK: Hotels

    private var hotelSection: String {
        let title = "Per hotel, on the holdout"
        guard let hotelMetrics = manifest.hotelMetrics, !hotelMetrics.isEmpty else {
            return section(title, id: "hotels", body: Self.missing("This version records no per-hotel metrics."))
        }
        let hotels = hotelMetrics.keys.sorted()
        let selection = hotelMetrics.values.lazy.compactMap { ModelMetric.own(.meanAveragePrecision, in: $0) }.first
        var body = "<p>Each hotel's guests (by their latest stay) against their held-out items of its menu; coverage "
        body += "is the share of the menu in some guest's list."
        if let other = holdoutModelOtherThanServed {
            body += HTML.escape(" The figures are \(other.holdout)'s, as above.")
        }
        body += "</p>"
        if let selection {
            let bars = hotels.compactMap { hotel in
                hotelMetrics[hotel]![selection.metric.key].map {
                    BarChart.Bar(label: "hotel \(hotel)", value: $0, attributes: [("data-hotel", hotel)])
                }
            }
            body += BarChart(name: "hotel-map", axisTitle: selection.metric.label + " per hotel", bars: bars).svg
        }
        let coverage = hotels.compactMap { hotel in
            hotelMetrics[hotel]!["coverage"].map {
                BarChart.Bar(label: "hotel \(hotel)", value: $0, attributes: [("data-hotel", hotel)])
            }
        }
        if !coverage.isEmpty {
            body += BarChart(name: "hotel-coverage", axisTitle: "coverage per hotel", bars: coverage).svg
        }
        let rows = hotels.map { hotel in
            let metrics = hotelMetrics[hotel]!
            return [hotel, metrics["evaluated_users"].map { ReportNumber.count(Int($0)) } ?? "–"]
                + Self.measures.map { measure in
                    ModelMetric.own(measure, in: metrics).map { ReportNumber.text($0.value) } ?? "–"
                } + [metrics["coverage"].map(ReportNumber.text) ?? "–"]
        }
        body += Self.table(
            header: ["Hotel", "Guests evaluated"] + Self.measures.map(\.rawValue) + ["coverage"], rows: rows)
        return section(title, id: "hotels", body: body)
    }

    // MARK: Loss

    private var lossSection: String {
        let title = "ALS loss per iteration"
        guard let losses = manifest.lossHistory, !losses.isEmpty else {
            let reason =
                manifest.kind == .als
                ? "This version records no loss per iteration."
                : "A \(manifest.kind.rawValue) version has no training loss."
            return section(title, id: "loss", body: Self.missing(reason))
        }
        let points = losses.enumerated().map { index, loss in
            LineChart.Point(x: Double(index + 1), y: loss, note: "iteration \(index + 1): loss \(loss)")
        }
        let chart = LineChart(
            name: "loss", xTitle: "iteration", yTitle: "training loss", yFromZero: false,
            series: [.init(name: "loss", points: points)])
        return section(title, id: "loss", body: "<p>The final fit on all data.</p>" + chart.svg)
    }

    // MARK: Data

    private var dataSection: String {
        let seen = manifest.dataSeen
        let counts = manifest.counts
        let unknown = "not recorded"
        let rows: [[String]] = [
            ["Guests with a paid order", seen.map { ReportNumber.count($0.guests) } ?? unknown],
            ["Paid menu items", seen.map { ReportNumber.count($0.items) } ?? unknown],
            ["Order lines learnt from", seen.map { ReportNumber.count($0.orderLines) } ?? unknown],
            ["Rows quarantined by ingest", seen?.quarantinedRows.map(ReportNumber.count) ?? unknown],
            ["Guests the version serves", ReportNumber.count(counts.users)],
            ["Items", ReportNumber.count(counts.items)],
            ["Hotels", ReportNumber.count(counts.hotels)],
            ["Guest × item entries", ReportNumber.count(counts.interactions)],
            ["Data fingerprint", manifest.dataFingerprint],
        ]
        let parameters = manifest.hyperParameters.sorted { $0.key < $1.key }.map { [$0.key, $0.value.description] }
        return section(
            "The data the run saw", id: "data",
            body: Self.table(header: [], rows: rows, id: "data-seen")
                + "<h3>Hyper-parameters</h3>" + Self.table(header: ["Name", "Value"], rows: parameters))
    }

    // MARK: History

    private var historySection: String {
        let earlier = versions.filter { $0.number <= version }
        var series: [LineChart.Series] = []
        for measure in Self.measures {
            let measured = earlier.compactMap { entry in
                ModelMetric.own(measure, in: entry.metrics).map { (entry: entry, own: $0) }
            }
            guard let first = measured.first else { continue }
            let points = measured.map { entry, own in
                LineChart.Point(
                    x: Double(entry.number), y: own.value, isHighlighted: entry.number == version,
                    note: "version \(entry.number) (\(entry.kind.rawValue)"
                        + (entry.aliases.isEmpty ? "" : ", " + entry.aliases.joined(separator: ", "))
                        + "): \(own.metric.label) \(ReportNumber.text(own.value))")
            }
            series.append(.init(name: first.own.metric.label, points: points))
        }
        var body = ""
        if series.isEmpty {
            body += Self.missing("No version of \(model) up to this one records holdout metrics.")
        } else {
            body +=
                LineChart(
                    name: "history", xTitle: "version", yTitle: "holdout metric", yFromZero: true, series: series
                ).svg
        }
        let aliases = versions.flatMap { entry in entry.aliases.map { [$0, String(entry.number)] } }
            .sorted { $0[0] < $1[0] }
        body += "<h3>Aliases</h3>"
        body +=
            aliases.isEmpty
            ? Self.missing("No alias points at a version of \(model).")
            : Self.table(header: ["Alias", "Version"], rows: aliases, id: "aliases")
        return section("History of \(model)", id: "history", body: body)
    }

    // MARK: Markup

    private func section(_ title: String, id: String, body: String) -> String {
        "<section id=\"\(HTML.escape(id))\"><h2>\(HTML.escape(title))</h2>\(body)</section>"
    }

    private static func missing(_ text: String) -> String { "<p class=\"missing\">\(HTML.escape(text))</p>" }

    private static func table(header: [String], rows: [[String]], id: String? = nil) -> String {
        var html = "<table\(id.map { " id=\"\(HTML.escape($0))\"" } ?? "")>"
        if !header.isEmpty {
            html += "<thead><tr>" + header.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead>"
        }
        html += "<tbody>"
        for row in rows { html += "<tr>" + row.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>" }
        return html + "</tbody></table>"
    }

    private static func describe(_ metrics: [String: Double]) -> String {
        metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(ReportNumber.text($0.value))" }
            .joined(separator: ", ")
    }

    private static func describe(_ parameters: [String: HyperParameter]) -> String {
        parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    private static let style = """
        body{font:14px/1.45 system-ui,sans-serif;color:#212529;max-width:800px;margin:24px auto;padding:0 16px}\
        h1{font-size:24px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #dee2e6}\
        h3{font-size:15px}.summary{color:#495057}.missing{color:#868e96;font-style:italic}\
        table{border-collapse:collapse;margin:8px 0}td,th{padding:2px 12px 2px 0;text-align:left}\
        td{font-variant-numeric:tabular-nums}tbody tr:nth-child(odd){background:#f8f9fa}\
        .chart{display:block;max-width:100%;height:auto}.chart text{font-size:11px;fill:#495057}\
        .chart .axis-title{font-size:12px}.grid{stroke:#e9ecef}.bar{fill:#74a9cf}.bar.highlighted{fill:#e8590c}\
        .line{fill:none;stroke-width:2}.point.highlighted{stroke:#212529;stroke-width:2}
        """
}
