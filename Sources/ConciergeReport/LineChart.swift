/// One or more series of points joined by lines, as inline SVG. Every point is a `<circle>` carrying `data-series`,
/// `data-x` and `data-y` (exact), and a `<title>` a browser shows on hover.
struct LineChart {
    struct Point {
        var x: Double
        var y: Double
        /// Drawn larger and flagged `data-highlighted="true"`: the version the page is about.
        var isHighlighted = false
        var note: String
    }

    struct Series {
        var name: String
        var points: [Point]
    }

    /// `data-chart` of the `<svg>`.
    var name: String
    var xTitle: String
    var yTitle: String
    /// Metrics start from zero; a loss is read by its fall, so its axis hugs the values.
    var yFromZero: Bool
    var series: [Series]

    private static let width = 760.0
    private static let height = 280.0
    private static let left = 70.0
    private static let right = 150.0
    private static let top = 12.0
    private static let bottom = 44.0
    private static let colours = ["#1c7ed6", "#e8590c", "#2f9e44", "#9c36b5", "#495057"]

    var svg: String {
        let points = series.flatMap(\.points)
        let plotBottom = Self.height - Self.bottom
        let plotRight = Self.width - Self.right
        let xScale = ChartScale(
            covering: points.map(\.x), includingZero: false, from: Self.left, to: plotRight, ticks: 8)
        let yScale = ChartScale(covering: points.map(\.y), includingZero: yFromZero, from: plotBottom, to: Self.top)
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\""
            + HTML.attributes([
                ("data-chart", name), ("viewBox", "0 0 \(px(Self.width)) \(px(Self.height))"),
                ("width", px(Self.width)), ("height", px(Self.height)), ("aria-label", "\(yTitle) by \(xTitle)"),
            ]) + ">"
        for tick in yScale.ticks {
            let y = px(yScale.position(tick))
            svg += "<line class=\"grid\" x1=\"\(px(Self.left))\" x2=\"\(px(plotRight))\" y1=\"\(y)\" y2=\"\(y)\"/>"
            svg += "<text class=\"tick\" x=\"\(px(Self.left - 6))\" y=\"\(y)\" dy=\"4\" text-anchor=\"end\">"
            svg += HTML.escape(yScale.label(tick)) + "</text>"
        }
        // Whole numbers only on x: iterations and versions have no halves.
        for tick in xScale.ticks where tick == tick.rounded() {
            let x = px(xScale.position(tick))
            svg += "<line class=\"grid\" x1=\"\(x)\" x2=\"\(x)\" y1=\"\(px(Self.top))\" y2=\"\(px(plotBottom))\"/>"
            svg += "<text class=\"tick\" x=\"\(x)\" y=\"\(px(plotBottom + 16))\" text-anchor=\"middle\">"
            svg += String(Int(tick)) + "</text>"
        }
        svg += "<text class=\"axis-title\" x=\"\(px((Self.left + plotRight) / 2))\" y=\"\(px(Self.height - 6))\" "
        svg += "text-anchor=\"middle\">\(HTML.escape(xTitle))</text>"
        svg += "<text class=\"axis-title\" transform=\"translate(14 \(px((Self.top + plotBottom) / 2))) rotate(-90)\" "
        svg += "text-anchor=\"middle\">\(HTML.escape(yTitle))</text>"
        for (index, line) in series.enumerated() {
            let colour = Self.colours[index % Self.colours.count]
            let path = line.points.map { "\(px(xScale.position($0.x))),\(px(yScale.position($0.y)))" }
            svg += "<polyline class=\"line\" stroke=\"\(colour)\" points=\"\(path.joined(separator: " "))\"/>"
            for point in line.points {
                svg +=
                    "<circle"
                    + HTML.attributes([
                        ("cx", px(xScale.position(point.x))), ("cy", px(yScale.position(point.y))),
                        ("r", point.isHighlighted ? "6" : "3.5"), ("fill", colour),
                        ("class", point.isHighlighted ? "point highlighted" : "point"), ("data-series", line.name),
                        ("data-x", ReportNumber.exact(point.x)), ("data-y", ReportNumber.exact(point.y)),
                        ("data-highlighted", String(point.isHighlighted)),
                    ]) + "><title>\(HTML.escape(point.note))</title></circle>"
            }
            let legendY = Self.top + 8 + Double(index) * 18
            svg += "<rect x=\"\(px(plotRight + 16))\" y=\"\(px(legendY - 8))\" width=\"12\" height=\"12\" "
            svg += "fill=\"\(colour)\"/><text class=\"legend\" x=\"\(px(plotRight + 34))\" y=\"\(px(legendY + 2))\">"
            svg += HTML.escape(line.name) + "</text>"
        }
        return svg + "</svg>"
    }

    private func px(_ value: Double) -> String { ReportNumber.pixel(value) }
}
