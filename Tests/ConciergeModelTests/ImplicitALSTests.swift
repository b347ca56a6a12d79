import ConciergeModel
import Testing

@Suite struct ImplicitALSTests {
    static let planted = PlantedMatrix(
        groups: 4, usersPerGroup: 60, itemsPerGroup: 30, itemsPerUser: 12, noise: 2, seed: 7)

    static func configuration(seed: UInt64 = 1, computeLoss: Bool = false) -> ImplicitALS.Configuration {
        .init(
            factors: 8, regularization: 0.1, alpha: 5, iterations: 12, cgSteps: 3, seed: seed, threads: 2,
            confidence: .linear, computeLoss: computeLoss)
    }

    @Test func recoversPlantedGroupsFarAbovePopularity() {
        let (train, test) = TrainTestSplit.split(Self.planted.matrix, testFraction: 0.2, seed: 3)
        let model = ImplicitALS(configuration: Self.configuration()).fit(userItems: train)
        let history = { (user: Int) in Set(train.rowRange(user).map { Int(train.columnIndices[$0]) }) }
        /// Highest dot product first, the guest's training items left out, as serving ranks.
        func recommend(_ user: Int, _ k: Int) -> [Int] {
            let seen = history(user)
            func score(_ item: Int) -> Float {
                zip(model.userFactors.row(user), model.itemFactors.row(item)).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            }
            let scored: [(item: Int, score: Float)] = (0..<train.columns).filter { !seen.contains($0) }.map {
                ($0, score($0))
            }
            let ranked = scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.item < $1.item }
            return ranked.prefix(k).map(\.item)
        }
        let als = RankingMetrics.evaluate(k: 10, test: test) { recommend($0, 10) }
        let popularity = Popularity(userItems: train).scores
        let baseline = RankingMetrics.evaluate(k: 10, test: test) { user in
            Array(
                popularity.columnIndices[popularity.rowRange(0)].map(Int.init).filter { !history(user).contains($0) }
                    .prefix(10))
        }
        #expect(als.precision > 0.2)
        #expect(als.precision > 2.5 * baseline.precision)
        #expect(als.ndcg > 2 * baseline.ndcg)
        // Top recommendations come from the guest's own group.
        var inGroup = 0, total = 0
        for user in 0..<train.rows {
            for item in recommend(user, 5) {
                total += 1
                if Self.planted.groupOfItem[item] == Self.planted.groupOfUser[user] { inGroup += 1 }
            }
        }
        #expect(Double(inGroup) / Double(total) > 0.9)
    }

    @Test(arguments: [ImplicitALS.ConfidenceMode.linear, .implicitLibrary])
    func lossDecreases(mode: ImplicitALS.ConfidenceMode) {
        var configuration = Self.configuration(computeLoss: true)
        configuration.confidence = mode
        var losses: [Double] = []
        var iterations: [Int] = []
        _ = ImplicitALS(configuration: configuration).fit(userItems: Self.planted.matrix) { progress in
            iterations.append(progress.iteration)
            if let loss = progress.loss { losses.append(loss) }
        }
        #expect(iterations == Array(0..<configuration.iterations))
        #expect(losses.count == configuration.iterations)
        for (previous, next) in zip(losses, losses.dropFirst()) {
            #expect(next <= previous * (1 + 1e-4), "loss went up: \(previous) → \(next)")
        }
        #expect(losses.last! < 0.9 * losses.first!)
    }

    @Test func lossMatchesDefinitionOnDenseCells() {
        let matrix = SplitMix64(seed: 11).copy { $0.sparse(rows: 9, columns: 7, density: 0.3) }
        var configuration = Self.configuration()
        configuration.factors = 3
        configuration.confidence = .implicitLibrary
        configuration.alpha = 2
        let als = ImplicitALS(configuration: configuration)
        var generator = SplitMix64(seed: 5)
        let x = DenseMatrix(rows: 9, columns: 3, values: generator.floats(27))
        let y = DenseMatrix(rows: 7, columns: 3, values: generator.floats(21))
        var loss = 0.0, confidences = 0.0
        for user in 0..<9 {
            for item in 0..<7 {
                let entry = matrix.rowRange(user).first { Int(matrix.columnIndices[$0]) == item }
                let c = entry.map { Double(2 * matrix.values[$0]) } ?? 1
                let p = entry == nil ? 0.0 : 1
                let score = (0..<3).reduce(0.0) { $0 + Double(x[user, $1]) * Double(y[item, $1]) }
                loss += c * (p - score) * (p - score)
                if entry != nil { confidences += c }
            }
        }
        loss += 0.1 * (x.values + y.values).reduce(0.0) { $0 + Double($1) * Double($1) }
        let expected = loss / (confidences + 63 - Double(matrix.nonZeroCount))
        let actual = als.loss(userItems: matrix, userFactors: x, itemFactors: y)
        #expect(abs(actual - expected) < 1e-5 * expected)
    }

    @Test func sameSeedSameFactorsDifferentSeedDifferent() {
        let matrix = Self.planted.matrix
        let first = ImplicitALS(configuration: Self.configuration(seed: 42)).fit(userItems: matrix)
        let second = ImplicitALS(configuration: Self.configuration(seed: 42)).fit(userItems: matrix)
        var oneThread = Self.configuration(seed: 42)
        oneThread.threads = 1
        let third = ImplicitALS(configuration: oneThread).fit(userItems: matrix)
        let other = ImplicitALS(configuration: Self.configuration(seed: 43)).fit(userItems: matrix)
        #expect(first.userFactors == second.userFactors && first.itemFactors == second.itemFactors)
        #expect(first.userFactors == third.userFactors && first.itemFactors == third.itemFactors)
        #expect(first.itemFactors != other.itemFactors)
    }

    @Test func emptyRowsGetZeroFactors() {
        let matrix = SparseMatrix(
            rows: 4, columns: 5,
            triples: [(0, 1, 2), (2, 3, 1), (2, 1, 1)])
        let model = ImplicitALS(configuration: .init(factors: 4, iterations: 3)).fit(userItems: matrix)
        #expect(model.userFactors.row(1).allSatisfy { $0 == 0 })
        #expect(model.itemFactors.row(4).allSatisfy { $0 == 0 })
        #expect(ItemSimilarity.cosine(itemFactors: model.itemFactors, neighbours: 3).rowRange(4).isEmpty)
    }

    @Test func similarItemsAreOwnGroupAndMatchFactorCosine() {
        let model = ImplicitALS(configuration: Self.configuration()).fit(userItems: Self.planted.matrix)
        let table = ItemSimilarity.cosine(itemFactors: model.itemFactors, neighbours: 10)
        let row = table.rowRange(3)
        let similar = table.columnIndices[row].map(Int.init)
        #expect(similar.count == 10 && !similar.contains(3))
        #expect(similar.allSatisfy { Self.planted.groupOfItem[$0] == Self.planted.groupOfItem[3] })
        func cosine(_ a: Int, _ b: Int) -> Float {
            let dot = zip(model.itemFactors.row(a), model.itemFactors.row(b)).reduce(0) { $0 + $1.0 * $1.1 }
            let norms = { (item: Int) in model.itemFactors.row(item).reduce(0) { $0 + $1 * $1 }.squareRoot() }
            return dot / (norms(a) * norms(b))
        }
        for (stored, item) in zip(table.values[row], similar) { #expect(abs(stored - cosine(3, item)) < 1e-5) }
    }
}

extension SplitMix64 {
    /// Runs `body` on a copy, so a test can build data from a seed in one expression.
    func copy<T>(_ body: (inout SplitMix64) -> T) -> T {
        var generator = self
        return body(&generator)
    }
}
