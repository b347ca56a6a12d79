import ConciergeModel
import ConciergeModelFormat
import Testing

@testable import ConciergeServing

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
                RecommendationRequest(
                    user: nil, count: 15, hotel: model.hotelID(hotel), recent: recent.map(model.itemID)))
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

    /// Folding in a trained guest's own history gives the factors training converges to for them: with the item
    /// factors fixed, enough conjugate-gradient steps solve each guest's system exactly.
    @Test(arguments: [(ImplicitALS.ConfidenceMode.linear, 8), (.implicitLibrary, 8), (.linear, 13)])
    func foldInEqualsConvergedLeastSquares(mode: ImplicitALS.ConfidenceMode, factors: Int) throws {
        let matrix = ServingFixture.trained.userItems
        let configuration = ImplicitALS.Configuration(
            factors: factors, regularization: 0.1, alpha: 5, iterations: 8, seed: 1, threads: 2, confidence: mode)
        let model = ImplicitALS(configuration: configuration).fit(userItems: matrix)
        var exact = configuration
        exact.cgSteps = 4 * factors
        var users = model.userFactors
        for _ in 0..<3 {
            users = ImplicitALS(configuration: exact).leastSquares(
                userItems: matrix, itemFactors: model.itemFactors, initial: users)
        }
        let itemFactors = DenseMatrixView(copying: model.itemFactors)
        let foldIn = ALSFoldIn(itemFactors: itemFactors, regularization: 0.1, alpha: 5, confidence: mode, threads: 2)
        let guests = (0..<matrix.rows).filter { !matrix.rowRange($0).isEmpty }
        for user in stride(from: 0, to: guests.count, by: guests.count / 5).map({ guests[$0] }) {
            let items = matrix.rowRange(user).map { matrix.columnIndices[$0] }
            let units = matrix.rowRange(user).map { matrix.values[$0] }
            var folded = [Float](repeating: 0, count: factors)
            let solved = items.withUnsafeBufferPointer { items in
                units.withUnsafeBufferPointer { units in
                    folded.withUnsafeMutableBufferPointer {
                        foldIn.solve(items: items, units: units, itemFactors: itemFactors, into: $0)
                    }
                }
            }
            #expect(solved)
            let converged = Array(users.row(user))
            let scale = converged.map(abs).max()!
            for (a, b) in zip(folded, converged) {
                #expect(abs(a - b) <= 1e-3 * scale, "user \(user): \(folded) vs \(converged)")
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
