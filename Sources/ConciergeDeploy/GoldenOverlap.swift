/// How much of the active colour's answers a new colour keeps: for each golden request the active colour
/// answered with items, the share of those items the new answer also holds, order aside.
package struct GoldenOverlap: Sendable, Equatable {
    package private(set) var shares: [Double] = []

    package init() {}

    /// Adds one request's comparison; an active answer without items has nothing to compare with.
    package mutating func compare(new: [String], active: [String]) {
        guard !active.isEmpty else { return }
        let kept = Set(new)
        shares.append(Double(active.filter(kept.contains).count) / Double(active.count))
    }

    package var compared: Int { shares.count }
    /// Nil when nothing was compared.
    package var mean: Double? { shares.isEmpty ? nil : shares.reduce(0, +) / Double(shares.count) }
    package var lowest: Double? { shares.min() }
    /// Answers that kept every one of the active colour's items.
    package var identical: Int { shares.filter { $0 == 1 }.count }
}
