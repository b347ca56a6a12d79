import ConciergeDeploy
import Testing

/// `histogram_quantile` against Prometheus's own examples: the special cases its documentation lists
/// (docs/querying/functions.md, "histogram_quantile()", "Special cases for classic histograms") and the
/// expected values of its PromQL test data (promql/promqltest/testdata/histograms.test), whose histograms are
/// loaded as `0+Nx10` series: at 50m each bucket holds 10·N, at 7m (after one 5m step) N.
@Suite struct ClassicHistogramTests {
    private func histogram(_ buckets: [(Double, Double)]) -> ClassicHistogram {
        ClassicHistogram(buckets.map { .init(upperBound: $0.0, count: $0.1) })
    }

    /// histograms.test's `testhistogram{start="positive"}` at 50m.
    private var positive: ClassicHistogram { histogram([(0.1, 50), (0.2, 70), (1, 110), (.infinity, 120)]) }
    /// histograms.test's `testhistogram{start="negative"}` at 50m: its lowest bound is below zero.
    private var negative: ClassicHistogram { histogram([(-0.2, 10), (-0.1, 20), (0.3, 20), (.infinity, 30)]) }

    /// histograms.test, "Finally some useful quantiles." and "Quantile value in lowest/highest bucket.".
    @Test(arguments: [
        (0.2, 0.048, -0.2), (0.5, 0.15, -0.15), (0.8, 0.72, 0.3), (0, 0, -0.2), (1, 1, 0.3),
    ])
    func testhistogram(phi: Double, positiveQuantile: Double, negativeQuantile: Double) {
        #expect(abs(positive.quantile(phi) - positiveQuantile) < 1e-12)
        #expect(abs(negative.quantile(phi) - negativeQuantile) < 1e-12)
    }

    /// histograms.test's `testhistogram2` at 7m: "q(1/6), q(1/2), and q(5/6) are each in the middle of a
    /// bucket and should therefore be 1, 3, and 5".
    @Test func testhistogram2MiddlesOfBuckets() {
        let histogram = histogram([(0, 0), (2, 1), (4, 2), (6, 3), (.infinity, 3)])
        #expect(abs(histogram.quantile(1.0 / 6.0) - 1) < 1e-12)
        #expect(abs(histogram.quantile(0.5) - 3) < 1e-12)
        #expect(abs(histogram.quantile(5.0 / 6.0) - 5) < 1e-12)
    }

    /// histograms.test's `testhistogram3` at 50m, "Test histogram_quantile, native and classic."
    @Test func testhistogram3() {
        let positive = histogram([(0, 0), (0.1, 50), (0.2, 70), (1, 110), (.infinity, 110)])
        let negative = histogram([(-0.25, 0), (-0.2, 10), (-0.1, 20), (0.3, 20), (.infinity, 20)])
        for (phi, expectedPositive, expectedNegative) in [
            (0.0, 0.0, -0.25), (0.25, 0.055, -0.225), (0.5, 0.125, -0.2), (0.75, 0.45, -0.15), (1, 1, -0.1),
        ] {
            #expect(abs(positive.quantile(phi) - expectedPositive) < 1e-12, "φ = \(phi)")
            #expect(abs(negative.quantile(phi) - expectedNegative) < 1e-12, "φ = \(phi)")
        }
    }

    /// functions.md: "If a quantile is located in the highest bucket, the upper bound of the second highest
    /// bucket is returned": the p99 of `testhistogram{start="positive"}` (rank 118.8 of 120) is 1, where an
    /// interpolation towards a large stand-in for +Inf (what deploy.sh's awk did) gives far more.
    @Test func aQuantileInTheInfBucketIsTheSecondHighestBound() {
        #expect(positive.quantile(0.99) == 1)
    }

    /// functions.md: NaN for φ = NaN, −Inf for φ < 0, +Inf for φ > 1 (histograms.test: "Quantile too
    /// low/high/invalid"); NaN with fewer than two buckets, without a +Inf bucket, or with no observations.
    @Test func theDocumentedSpecialCases() {
        #expect(positive.quantile(.nan).isNaN)
        #expect(positive.quantile(-0.1) == -.infinity)
        #expect(positive.quantile(1.01) == .infinity)
        #expect(histogram([(.infinity, 5)]).quantile(0.5).isNaN)
        #expect(histogram([(0.1, 5), (1, 10)]).quantile(0.5).isNaN)
        #expect(histogram([(0.1, 0), (.infinity, 0)]).quantile(0.5).isNaN)
    }

    /// functions.md: non-monotonic counts "are increased to the value of the previous buckets"; histograms.test's
    /// `mixed` histogram: the same bound spelled differently is one bucket, its counts added.
    @Test func monotonicityAndRepeatedBounds() {
        // Read as 10, 10, 20, 40: rank 12 lies 2 into the (0.2, 1] bucket of 10, not 7 into one of 15.
        let fixed = histogram([(0.1, 10), (0.2, 5), (1, 20), (.infinity, 40)])
        #expect(abs(fixed.quantile(0.3) - 0.36) < 1e-12)
        let repeated = histogram([(0.1, 1), (0.2, 1), (0.2, 1), (.infinity, 2), (.infinity, 2)])
        #expect(repeated.buckets.map(\.upperBound) == [0.1, 0.2, .infinity])
        #expect(repeated.buckets.map(\.count) == [1, 2, 4])
    }

    @Test func subtractingGivesTheWindowsObservations() {
        let later = histogram([(0.1, 60), (0.2, 90), (1, 140), (.infinity, 150)])
        #expect(later.subtracting(positive).buckets.map(\.count) == [10, 20, 30, 30])
    }
}
