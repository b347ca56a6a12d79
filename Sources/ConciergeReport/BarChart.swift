/// Horizontal bars, one per labelled value, as inline SVG. Every bar carries its value in `data-value` and its
/// label in `data-label` (with any other `data-` attributes given), and a `<title>` a browser shows on hover.
struct BarChart {
    struct Bar {
        var label: String
        var value: Double
        /// Drawn in the accent colour and flagged `data-highlighted="true"`: the winner, or the version itself.
        var isHighlighted = false
        /// Written after the value, for what colour alone should not have to say: `★ chosen`.
        var marker = ""
        /// The hover text; the label and value when empty.
        var note = ""
        var attributes: [(name: String, value: String)] = []
    }

    /// `data-chart` of the `<svg>`, for tests and for people reading the source.
    var name: String
    /// What the values are, under the axis.
    var axisTitle: String
    var bars: [Bar]

    private static let width = 760.0
    private static let labelWidth = 300.0
    private static let rowHeight = 18.0
    private static let axisHeight = 40.0

    var svg: String {
        let plotLeft = Self.labelWidth + 10
        let plotRight = Self.width - 110
        let scale = ChartScale(
            covering: bars.map(\.value), includingZero: true, from: plotLeft, to: plotRight)
        let plotBottom = Double(bars.count) * Self.rowHeight + 6
        let height = plotBottom + Self.axisHeight
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\""
            + HTML.attributes([
                ("data-chart", name), ("viewBox", "0 0 \(px(Self.width)) \(px(height))"), ("width", px(Self.width)),
                ("height", px(height)), ("aria-label", axisTitle),
            ]) + ">"
        for tick in scale.ticks {
            let x = scale.position(tick)
            svg += "<line class=\"grid\" x1=\"\(px(x))\" x2=\"\(px(x))\" y1=\"0\" y2=\"\(px(plotBottom))\"/>"
            svg += "<text class=\"tick\" x=\"\(px(x))\" y=\"\(px(plotBottom + 14))\" text-anchor=\"middle\">"
            svg += HTML.escape(scale.label(tick)) + "</text>"
        }
        svg += "<text class=\"axis-title\" x=\"\(px((plotLeft + plotRight) / 2))\" y=\"\(px(height - 6))\" "
        svg += "text-anchor=\"middle\">\(HTML.escape(axisTitle))</text>"
        for (row, bar) in bars.enumerated() {
            let y = Double(row) * Self.rowHeight + 4
            let barWidth = max(scale.position(bar.value) - scale.position(0), 0)
            let note = bar.note.isEmpty ? "\(bar.label): \(ReportNumber.text(bar.value))" : bar.note
            svg += "<text class=\"label\" x=\"\(px(Self.labelWidth))\" y=\"\(px(y + 11))\" text-anchor=\"end\">"
            svg += HTML.escape(bar.label) + "</text>"
            svg +=
                "<rect"
                + HTML.attributes(
                    [
                        ("class", bar.isHighlighted ? "bar highlighted" : "bar"), ("x", px(scale.position(0))),
                        ("y", px(y)), ("width", px(barWidth)), ("height", px(Self.rowHeight - 4)),
                        ("data-label", bar.label), ("data-value", ReportNumber.exact(bar.value)),
                        ("data-highlighted", String(bar.isHighlighted)),
                    ] + bar.attributes) + "><title>\(HTML.escape(note))</title></rect>"
            svg += "<text class=\"value\" x=\"\(px(scale.position(0) + barWidth + 4))\" y=\"\(px(y + 11))\">"
            svg += ReportNumber.text(bar.value) + (bar.marker.isEmpty ? "" : " " + HTML.escape(bar.marker)) + "</text>"
        }
        return svg + "</svg>"
    }

    private func px(_ value: Double) -> String { ReportNumber.pixel(value) }
}
