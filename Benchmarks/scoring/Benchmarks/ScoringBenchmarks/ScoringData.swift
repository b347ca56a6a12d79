import ConciergeModel

/// Reproducible factor-like values, uniform in [-0.5, 0.5).
enum ScoringData {
    static func matrix(rows: Int, columns: Int, seed: UInt64) -> [Float] {
        var random = SplitMix64(seed: seed)
        return (0..<(rows * columns)).map { _ in random.nextUnitFloat() - 0.5 }
    }
}
