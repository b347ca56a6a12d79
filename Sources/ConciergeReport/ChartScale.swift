import Foundation

/// A linear map from values to pixels over a domain widened to round ticks (1, 2 or 5 × 10ⁿ apart), so that an
/// axis reads as plain numbers.
struct ChartScale: Equatable {
    /// The domain, widened to whole ticks.
    let lower: Double
    let upper: Double
    /// The pixels `lower` and `upper` land on; `end` may be smaller than `start`, as on an SVG y axis.
    let start: Double
    let end: Double
    let tickStep: Double

    /// A scale covering `values` (and zero, when `includingZero`) with about `ticks` ticks. No values, or values
    /// all equal, still give a domain of positive width, so that nothing divides by zero.
    init(covering values: [Double], includingZero: Bool, from start: Double, to end: Double, ticks: Int = 5) {
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        if includingZero {
            low = min(low, 0)
            high = max(high, 0)
        }
        if low == high { high = low + (low == 0 ? 1 : abs(low) / 10) }
        let step = Self.roundStep((high - low) / Double(max(ticks, 1)))
        self.lower = (low / step).rounded(.down) * step
        self.upper = (high / step).rounded(.up) * step
        self.start = start
        self.end = end
        self.tickStep = step
    }

    func position(_ value: Double) -> Double {
        start + (value - lower) / (upper - lower) * (end - start)
    }

    /// Every multiple of the step within the domain, computed from integers so that no error accumulates.
    var ticks: [Double] {
        let first = Int((lower / tickStep).rounded())
        let last = Int((upper / tickStep).rounded())
        return (first...last).map { Double($0) * tickStep }
    }

    /// A tick's label, with as many decimals as the step needs.
    func label(_ value: Double) -> String {
        // Steps are 1, 2 or 5 × 10ⁿ: 0.05 needs two decimals, 0.1 one; the nudge keeps 0.1's log from rounding up.
        let decimals = max(0, Int((-log10(tickStep) - 1e-9).rounded(.up)))
        return String(format: "%.\(decimals)f", value)
    }

    /// The smallest of 1, 2, 5 and 10 × 10ⁿ at least `raw`.
    static func roundStep(_ raw: Double) -> Double {
        let magnitude = pow(10, log10(raw).rounded(.down))
        let fraction = raw / magnitude
        let round: Double =
            if fraction <= 1 { 1 } else if fraction <= 2 { 2 } else if fraction <= 5 { 5 } else { 10 }
        return round * magnitude
    }
}
