import Foundation

/// How the page spells numbers: four decimals for people, the shortest exact spelling for `data-` attributes, so a
/// test reads back the very `Double` the manifest holds.
enum ReportNumber {
    static func text(_ value: Double) -> String { String(format: "%.4f", value) }

    static func exact(_ value: Double) -> String { String(value) }

    /// A coordinate: a tenth of a pixel is finer than any screen draws.
    static func pixel(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Whole counts with thousands separators: 20,000.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }
}
