import ConciergeModel
import ConciergeModelFormat
import ConciergeServing
import Testing

/// Fold-in against the normal equations formed and solved independently, the slow way.
@Suite struct FoldInTests {
    @Test func foldInScoresMatchTheLeastSquaresSolution() throws {
        let recommender = ServingFixture.als
        let model = recommender.model
        let factors = try #require(model.itemFactors)
        var random = SplitMix64(seed: 21)
        for round in 0..<12 {
            let hotel = round % model.hotelCount
            let block = model.items(ofHotel: hotel)
            var recent = (0..<Int.random(in: 1...5, using: &random)).map { _ in Int.random(in: block, using: &random) }
            recent.append(recent[0])
            let result = try recommender.recommend(
                RecommendationRequest(user: nil, count: 15, hotel: model.hotelID(hotel), recent: recent.map(model.itemID)))
            #expect(result.strategy == .foldIn)

            let x = Self.solveNormalEquations(
                factors: factors, recent: recent, alpha: Double(ServingFixture.options.alpha),
                regularization: Double(ServingFixture.options.regularization))
            func score(_ item: Int) -> Double { zip(x, factors.row(item)).reduce(0) { $0 + $1.0 * Double($1.1) } }
            let expected = block.filter { !recent.contains($0) }.map { (item: $0, score: score($0)) }
                .sorted { $0.score > $1.score }.prefix(15)
            #expect(result.items.count == expected.count)
            for (item, wanted) in zip(result.items, expected) {
                let tolerance = 1e-4 * max(1, abs(wanted.score))
                #expect(abs(Double(item.score) - wanted.score) < tolerance)
                #expect(abs(Double(item.score) - score(item.index)) < tolerance)
                #expect(item.index == wanted.item || abs(score(item.index) - wanted.score) < tolerance)
            }
        }
    }

    /// `(Σᵢ cᵢ yᵢyᵢᵀ + λI) x = Σᵢ cᵢ pᵢ yᵢ` over every item, with `cᵢ = 1 + alpha · units` and
    /// `pᵢ = 1` for the recent items and `cᵢ = 1`, `pᵢ = 0` for the rest; Gaussian elimination.
    static func solveNormalEquations(
        factors: DenseMatrixView, recent: [Int], alpha: Double, regularization: Double
    ) -> [Double] {
        let n = factors.columns
        var units: [Int: Double] = [:]
        for item in recent { units[item, default: 0] += 1 }
        var a = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
        for item in 0..<factors.rows {
            let y = factors.row(item).map(Double.init)
            let confidence = 1 + alpha * (units[item] ?? 0)
            for r in 0..<n {
                for c in 0..<n { a[r][c] += confidence * y[r] * y[c] }
                if units[item] != nil { a[r][n] += confidence * y[r] }
            }
        }
        for r in 0..<n { a[r][r] += regularization }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
            a.swapAt(column, pivot)
            for r in 0..<n where r != column {
                let ratio = a[r][column] / a[column][column]
                for c in column...n { a[r][c] -= ratio * a[column][c] }
            }
        }
        return (0..<n).map { a[$0][n] / a[$0][$0] }
    }
}
