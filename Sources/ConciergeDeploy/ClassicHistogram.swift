/// A Prometheus classic histogram: cumulative counts by upper bound (the `le` label), and its quantiles as
/// PromQL's `histogram_quantile` computes them.
package struct ClassicHistogram: Sendable, Equatable {
    package struct Bucket: Sendable, Equatable {
        package var upperBound: Double
        /// Observations at or below `upperBound`.
        package var count: Double

        package init(upperBound: Double, count: Double) {
            self.upperBound = upperBound
            self.count = count
        }
    }

    /// Sorted by upper bound, one bucket per bound.
    package private(set) var buckets: [Bucket]

    /// Buckets in any order; counts of the same bound add up, as series that differ only in other labels do
    /// under `sum by (le)`.
    package init(_ buckets: [Bucket]) {
        var merged: [Bucket] = []
        for bucket in buckets.sorted(by: { $0.upperBound < $1.upperBound }) {
            if let last = merged.last, last.upperBound == bucket.upperBound {
                merged[merged.count - 1].count += bucket.count
            } else {
                merged.append(bucket)
            }
        }
        self.buckets = merged
    }

    /// The observations counted since `earlier`, bucket by bucket: what `increase()` gives over a window
    /// whose counters did not reset.
    package func subtracting(_ earlier: ClassicHistogram) -> ClassicHistogram {
        let before = Dictionary(earlier.buckets.map { ($0.upperBound, $0.count) }, uniquingKeysWith: +)
        return ClassicHistogram(
            buckets.map { Bucket(upperBound: $0.upperBound, count: $0.count - (before[$0.upperBound] ?? 0)) })
    }

    /// The φ-quantile, following Prometheus's `bucketQuantile` (promql/quantile.go) and the rules of
    /// `histogram_quantile` (docs/querying/functions.md): NaN for φ = NaN, -Inf below 0, +Inf above 1; NaN when
    /// the highest bucket is not +Inf, with fewer than two buckets, or with no observations; counts lower than
    /// the bucket before are raised to it (monotonicity); a quantile in the +Inf bucket is the second highest
    /// bound; in the lowest bucket, the lower limit is 0 when its bound is positive, else its bound is the
    /// answer; otherwise linear interpolation within the bucket.
    package func quantile(_ phi: Double) -> Double {
        if phi.isNaN { return .nan }
        if phi < 0 { return -.infinity }
        if phi > 1 { return .infinity }
        guard let highest = buckets.last, highest.upperBound == .infinity, buckets.count >= 2 else { return .nan }
        var counts = buckets.map(\.count)
        for index in counts.indices.dropFirst() { counts[index] = max(counts[index], counts[index - 1]) }
        let observations = counts[counts.count - 1]
        guard observations > 0 else { return .nan }
        var rank = phi * observations
        let found = counts.dropLast().firstIndex { $0 >= rank } ?? buckets.count - 1
        if found == buckets.count - 1 { return buckets[buckets.count - 2].upperBound }
        if found == 0, buckets[0].upperBound <= 0 { return buckets[0].upperBound }
        var lower = 0.0
        var count = counts[found]
        if found > 0 {
            lower = buckets[found - 1].upperBound
            count -= counts[found - 1]
            rank -= counts[found - 1]
        }
        return lower + (buckets[found].upperBound - lower) * (rank / count)
    }
}
