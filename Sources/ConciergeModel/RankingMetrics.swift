import Foundation

/// Offline ranking metrics at `k`, computed exactly as `implicit.evaluation.ranking_metrics_at_k`
/// (implicit 0.7) computes them, so the two can be compared number for number, plus catalogue
/// coverage.
///
/// Only guests with at least one held-out item count. For each, with `T` their held-out items
/// and the recommended list cut to `k` (a shorter list counts its missing places as misses):
/// - precision: Σ hits / Σ min(k, |T|), over all guests at once (not a mean of ratios);
/// - MAP: mean over guests of Σ_{hit at rank i} (hits so far / i) / min(k, |T|);
/// - NDCG: mean of Σ_{hit at rank i} 1/log₂(i+1) divided by the ideal DCG of min(k, |T|) hits;
/// - AUC: implicit's AUC limited to the top k, treating every unranked held-out item as ranked
///   in the middle of the unranked negatives.
public struct RankingMetrics: Sendable, Hashable {
    public var k: Int
    public var precision: Double
    public var meanAveragePrecision: Double
    public var ndcg: Double
    public var auc: Double
    /// Distinct items in anyone's top `k` / items in the catalogue.
    public var coverage: Double
    /// Guests with at least one held-out item: the ones the means run over.
    public var users: Int

    public init(
        k: Int, precision: Double, meanAveragePrecision: Double, ndcg: Double, auc: Double, coverage: Double, users: Int
    ) {
        self.k = k
        self.precision = precision
        self.meanAveragePrecision = meanAveragePrecision
        self.ndcg = ndcg
        self.auc = auc
        self.coverage = coverage
        self.users = users
    }

    /// Each measure's mean over `metrics` (measured at the same `k`, e.g. on several validation cuts); `users` is
    /// the rounded mean.
    public static func mean(_ metrics: [RankingMetrics]) -> RankingMetrics {
        precondition(!metrics.isEmpty && metrics.allSatisfy { $0.k == metrics[0].k })
        func average(_ measure: (RankingMetrics) -> Double) -> Double {
            metrics.reduce(0) { $0 + measure($1) } / Double(metrics.count)
        }
        return RankingMetrics(
            k: metrics[0].k, precision: average(\.precision), meanAveragePrecision: average(\.meanAveragePrecision),
            ndcg: average(\.ndcg), auc: average(\.auc), coverage: average(\.coverage),
            users: Int(average { Double($0.users) }.rounded()))
    }

    /// Evaluates `recommend(user)` (the user's ranked items, best first; items from their
    /// training history should already be left out, as implicit does) against `test`
    /// (guests × items, the held-out interactions). The catalogue is `test.columns` items.
    public static func evaluate(k: Int, test: SparseMatrix, recommend: (_ user: Int) -> [Int]) -> RankingMetrics {
        precondition(k > 0)
        let items = test.columns
        let gains = (0..<k).map { 1 / log2(Double($0) + 2) }
        var idealGains = gains
        for index in 1..<k { idealGains[index] += idealGains[index - 1] }
        var relevant = 0.0, precisionDivisor = 0.0, total = 0.0
        var meanAP = 0.0, ndcg = 0.0, meanAUC = 0.0
        var recommended = [Bool](repeating: false, count: items)
        for user in 0..<test.rows {
            let liked = Set(test.rowRange(user).map { Int(test.columnIndices[$0]) })
            if liked.isEmpty { continue }
            let ranked = recommend(user)
            let relevantCount = Double(min(k, liked.count))
            precisionDivisor += relevantCount
            let ideal = idealGains[min(k, liked.count) - 1]
            let positives = Double(liked.count)
            let negatives = Double(items) - positives
            var averagePrecision = 0.0, hits = 0.0, misses = 0.0, auc = 0.0
            for rank in 0..<k {
                let item = rank < ranked.count ? ranked[rank] : -1
                if item >= 0 && item < items { recommended[item] = true }
                if liked.contains(item) {
                    relevant += 1
                    hits += 1
                    averagePrecision += hits / Double(rank + 1)
                    ndcg += gains[rank] / ideal
                } else {
                    misses += 1
                    auc += hits
                }
            }
            auc += ((hits + positives) / 2) * (negatives - misses)
            meanAP += averagePrecision / relevantCount
            meanAUC += auc / (positives * negatives)
            total += 1
        }
        let covered = recommended.reduce(0) { $0 + ($1 ? 1 : 0) }
        return RankingMetrics(
            k: k,
            precision: precisionDivisor > 0 ? relevant / precisionDivisor : 0,
            meanAveragePrecision: total > 0 ? meanAP / total : 0,
            ndcg: total > 0 ? ndcg / total : 0,
            auc: total > 0 ? meanAUC / total : 0,
            coverage: items > 0 ? Double(covered) / Double(items) : 0,
            users: Int(total))
    }
}
