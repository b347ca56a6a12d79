import ConciergeModel
import Foundation
import Testing

@Suite struct RankingMetricsTests {
    @Test func handComputedCase() {
        let test = SparseMatrix(
            rows: 3, columns: 10,
            triples: [(0, 1, 1), (0, 4, 2), (1, 5, 1)])
        let lists = [[1, 2, 4], [0], [7, 8, 9]]
        let metrics = RankingMetrics.evaluate(k: 3, test: test) { lists[$0] }
        // User 0: hits at ranks 1 and 3 of 2 held out; user 1: one held out, a list of one miss;
        // user 2 has nothing held out and does not count.
        #expect(metrics.users == 2)
        #expect(abs(metrics.precision - 2.0 / 3) < 1e-12)
        #expect(abs(metrics.meanAveragePrecision - (1 + 2.0 / 3) / 2 / 2) < 1e-12)
        let ndcg0 = (1 + 1 / log2(4.0)) / (1 + 1 / log2(3.0))
        #expect(abs(metrics.ndcg - ndcg0 / 2) < 1e-12)
        // AUC, user 0: one miss after one hit (1), then (hits + positives)/2 · (negatives − misses) = 2 · 7.
        // User 1: three misses, then (0 + 1)/2 · (9 − 3).
        let auc = ((1 + 14) / 16.0 + 3 / 9.0) / 2
        #expect(abs(metrics.auc - auc) < 1e-12)
        #expect(abs(metrics.coverage - 0.4) < 1e-12)
    }

    @Test func perfectRankingScoresOne() {
        let test = SparseMatrix(
            rows: 2, columns: 6,
            triples: [(0, 2, 1), (0, 3, 1), (1, 0, 1)])
        let metrics = RankingMetrics.evaluate(k: 2, test: test) { $0 == 0 ? [3, 2] : [0, 5] }
        #expect(metrics.precision == 1 && metrics.meanAveragePrecision == 1 && metrics.ndcg == 1)
        #expect(metrics.auc == 1)
    }
}
