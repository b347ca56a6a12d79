import ConciergeModel
import Testing

@Suite struct ItemSimilarityTests {
    static let blocks = [0..<12, 12..<30, 30..<31, 35..<40]

    /// Checks that `row` of `table` is a correct top-`m` list for `item` under `cosine`.
    static func expectTopM(
        _ table: SparseMatrix, item: Int, m: Int, candidates: [Int], cosine: (Int, Int) -> Double?
    ) {
        let row = table.rowRange(item)
        let brute = candidates.compactMap { other in cosine(item, other).map { (other, $0) } }
            .sorted { $0.1 > $1.1 }
        #expect(row.count == min(m, brute.count), "item \(item)")
        for (position, index) in row.enumerated() {
            let other = Int(table.columnIndices[index])
            let score = Double(table.values[index])
            // Each reported score is the true cosine, rows are sorted, and nothing better was left out.
            #expect(abs(score - (cosine(item, other) ?? .nan)) < 1e-5)
            #expect(abs(score - brute[position].1) < 1e-5)
            if index > row.lowerBound { #expect(table.values[index - 1] >= table.values[index]) }
        }
    }

    @Test func interactionCosineMatchesBruteForce() {
        var generator = SplitMix64(seed: 21)
        let matrix = generator.sparse(rows: 60, columns: 40, density: 0.15)
        let table = ItemSimilarity.cosine(userItems: matrix, blocks: Self.blocks, neighbours: 5)
        let dense = (0..<40).map { item in
            (0..<60).map { user in
                matrix.rowRange(user).first { Int(matrix.columnIndices[$0]) == item }.map { Double(matrix.values[$0]) }
                    ?? 0
            }
        }
        func cosine(_ a: Int, _ b: Int) -> Double? {
            let dot = zip(dense[a], dense[b]).reduce(0) { $0 + $1.0 * $1.1 }
            let norms = (dense[a].reduce(0) { $0 + $1 * $1 } * dense[b].reduce(0) { $0 + $1 * $1 }).squareRoot()
            // Neighbours are items sharing a guest.
            return dot > 0 ? dot / norms : nil
        }
        for item in 0..<40 {
            guard let block = Self.blocks.first(where: { $0.contains(item) }) else {
                #expect(table.rowRange(item).isEmpty)
                continue
            }
            Self.expectTopM(table, item: item, m: 5, candidates: block.filter { $0 != item }, cosine: cosine)
        }
        let withSelf = ItemSimilarity.cosine(userItems: matrix, blocks: Self.blocks, neighbours: 6, includeSelf: true)
        for item in 0..<12 where !withSelf.rowRange(item).isEmpty {
            #expect(withSelf.columnIndices[withSelf.rowRange(item).lowerBound] == Int32(item))
        }
    }

    @Test func factorCosineMatchesBruteForce() {
        var generator = SplitMix64(seed: 4)
        var factors = DenseMatrix(rows: 40, columns: 12, values: generator.floats(480))
        for column in 0..<12 { factors[7, column] = 0 }
        let table = ItemSimilarity.cosine(itemFactors: factors, blocks: Self.blocks, neighbours: 4, threads: 1)
        func cosine(_ a: Int, _ b: Int) -> Double? {
            let x = factors.row(a).map(Double.init), y = factors.row(b).map(Double.init)
            let norms = (x.reduce(0) { $0 + $1 * $1 } * y.reduce(0) { $0 + $1 * $1 }).squareRoot()
            return norms > 0 ? zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } / norms : nil
        }
        #expect(table.rowRange(7).isEmpty)
        for item in 0..<40 where item != 7 {
            guard let block = Self.blocks.first(where: { $0.contains(item) }) else {
                #expect(table.rowRange(item).isEmpty)
                continue
            }
            Self.expectTopM(table, item: item, m: 4, candidates: block.filter { $0 != item }, cosine: cosine)
        }
    }
}
