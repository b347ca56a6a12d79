import ConciergeModel
import Testing

@Suite struct ScoringKernelTests {
    @Test(arguments: [1, 7, 8, 16, 24, 33, 64, 65, 128])
    func scoresMatchNaiveLoop(dimension: Int) {
        var generator = SplitMix64(seed: UInt64(dimension))
        let rows = 37
        let matrix = generator.floats(rows * dimension)
        let query = generator.floats(dimension)
        var output = [Float](repeating: .nan, count: rows)
        query.withUnsafeBufferPointer { query in
            matrix.withUnsafeBufferPointer { matrix in
                output.withUnsafeMutableBufferPointer {
                    ScoringKernel.scores(query: query, rows: matrix, dimension: dimension, into: $0)
                }
            }
        }
        for row in 0..<rows {
            var expected = 0.0
            for column in 0..<dimension { expected += Double(query[column]) * Double(matrix[row * dimension + column]) }
            #expect(abs(Double(output[row]) - expected) < 1e-5 * Double(dimension))
        }
    }

    /// EASE's sum of rows: every row count up to past two eight-row groups, so every mix of groups of eight, four and
    /// one to three (none gives zeros), widths with and without an eight-float tail, weights or none, rows named by
    /// catalogue index less the block's first, whatever the output held before.
    @Test(arguments: [1, 7, 8, 9, 16, 80, 123])
    func sumRowsMatchesANaiveSum(columns: Int) {
        var generator = SplitMix64(seed: UInt64(2000 + columns))
        let matrixRows = 12
        let matrix = generator.floats(matrixRows * columns)
        let offset = 500
        for count in 0...20 {
            let rows = (0..<count).map { Int32(offset + ($0 * 5 + 3) % matrixRows) }
            let weights = generator.floats(count)
            for weighted in [false, true] {
                let start = generator.floats(columns)
                var output = start
                rows.withUnsafeBufferPointer { rowsBuffer in
                    weights.withUnsafeBufferPointer { weightsBuffer in
                        matrix.withUnsafeBufferPointer { matrixBuffer in
                            output.withUnsafeMutableBufferPointer {
                                ScoringKernel.sumRows(
                                    rowsBuffer, minus: offset, weights: weighted ? weightsBuffer : nil,
                                    of: matrixBuffer,
                                    columns: columns, into: $0)
                            }
                        }
                    }
                }
                for column in 0..<columns {
                    var expected = 0.0
                    for (index, row) in rows.enumerated() {
                        let weight = weighted ? Double(weights[index]) : 1
                        expected += weight * Double(matrix[(Int(row) - offset) * columns + column])
                    }
                    #expect(abs(Double(output[column]) - expected) < 1e-5 * Double(count + 1), "\(count) rows")
                }
            }
        }
    }

    /// A row the matrix does not have stops the process rather than reading past the matrix: below it, just past
    /// its end, far past it.
    @Test func sumRowsStopsAtARowOutsideTheMatrix() async {
        await #expect(processExitsWith: .failure) { Self.sumRows(naming: 499) }
        await #expect(processExitsWith: .failure) { Self.sumRows(naming: 512) }
        await #expect(processExitsWith: .failure) { Self.sumRows(naming: 600) }
    }

    /// Thirteen rows (a group of eight, one of four and one alone) of a 12-row matrix whose first row is catalogue
    /// index 500, the twelfth of them `row`.
    private static func sumRows(naming row: Int32) {
        let matrix = [Float](repeating: 1, count: 12 * 9)
        var output = [Float](repeating: 0, count: 9)
        let rows = (0..<13).map { $0 == 11 ? row : Int32(500 + $0 % 12) }
        rows.withUnsafeBufferPointer { rows in
            matrix.withUnsafeBufferPointer { matrix in
                output.withUnsafeMutableBufferPointer {
                    ScoringKernel.sumRows(rows, minus: 500, weights: nil, of: matrix, columns: 9, into: $0)
                }
            }
        }
    }

    /// EASE-ALS's blend against a `Double` reference: every count around the eight-float step, scores far from zero
    /// (the shift keeps their squares from cancelling), and a constant block, whose deviation of zero counts as one.
    @Test(arguments: [1, 2, 7, 8, 9, 16, 80, 123])
    func blendMatchesADoubleReference(count: Int) {
        var generator = SplitMix64(seed: UInt64(3000 + count))
        func deviation(_ values: [Float]) -> Double {
            let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
            let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count)
            return variance > 1e-12 ? variance.squareRoot() : 1
        }
        let cases = [
            (generator.floats(count), generator.floats(count)),
            (generator.floats(count, in: 999...1001), generator.floats(count)),
            ([Float](repeating: 0.25, count: count), generator.floats(count)),
        ]
        for (scores, others) in cases {
            let weight: Float = 1.5
            var blended = scores
            others.withUnsafeBufferPointer { others in
                blended.withUnsafeMutableBufferPointer { ScoringKernel.blend($0, with: others, weight: weight) }
            }
            let (scale, otherScale) = (1 / deviation(scores), Double(weight) / deviation(others))
            for index in 0..<count {
                let expected = Double(scores[index]) * scale + Double(others[index]) * otherScale
                #expect(abs(Double(blended[index]) - expected) < 1e-3 * max(1, abs(expected)), "\(index) of \(count)")
            }
        }
    }

    /// Each number of eight-value chunks has a loop of its own.
    @Test(arguments: [8, 16, 24, 32, 40, 48, 56, 64])
    func everyChunkCountScoresAsTheNaiveLoop(dimension: Int) {
        scoresMatchNaiveLoop(dimension: dimension)
    }

    /// Every dimension the C loop treats differently (no eight-float chunk, each chunk count up to 64 factors with
    /// and without a tail, more chunks than it unrolls), every row count around its four-row step, and inputs
    /// and output one float off their arrays' alignment.
    @Test(arguments: Array(1...70) + [100, 128])
    func scoresAnyDimensionAndRowCountFromUnalignedBuffers(dimension: Int) {
        var generator = SplitMix64(seed: UInt64(1000 + dimension))
        for rows in 0...9 {
            let matrix = generator.floats(1 + rows * dimension)
            let query = generator.floats(1 + dimension)
            var output = [Float](repeating: .nan, count: rows + 2)
            query.withUnsafeBufferPointer { query in
                matrix.withUnsafeBufferPointer { matrix in
                    output.withUnsafeMutableBufferPointer { output in
                        ScoringKernel.scores(
                            query: UnsafeBufferPointer(rebasing: query[1...]),
                            rows: UnsafeBufferPointer(rebasing: matrix[1...]), dimension: dimension,
                            into: UnsafeMutableBufferPointer(rebasing: output[1..<(rows + 1)]))
                    }
                }
            }
            #expect(output[0].isNaN && output[rows + 1].isNaN, "wrote outside the output at \(rows) rows")
            for row in 0..<rows {
                var exact = 0.0
                var magnitude = 0.0
                for column in 0..<dimension {
                    let product = Double(query[1 + column]) * Double(matrix[1 + row * dimension + column])
                    exact += product
                    magnitude += abs(product)
                }
                // A Float sum of n products, in any order, fused or not, is within n·ε·Σ|products| of the exact
                // one (rounding error analysis of a dot product: γₙ with u = ε/2, and a margin of two).
                let bound = Double(dimension) * Double(Float.ulpOfOne) * magnitude
                #expect(
                    abs(Double(output[1 + row]) - exact) <= bound,
                    "row \(row) of \(rows) at dimension \(dimension): \(output[1 + row]) against \(exact)")
            }
        }
    }

    @Test func topKOverABlockReportsCatalogueIndices() {
        var generator = SplitMix64(seed: 9)
        let dimension = 16, items = 50
        let matrix = generator.floats(items * dimension)
        let query = generator.floats(dimension)
        let block = 20..<35
        var scratch: [Float] = []
        var indices: [Int32] = []
        var scores: [Float] = []
        let found = query.withUnsafeBufferPointer { query in
            matrix.withUnsafeBufferPointer { matrix in
                ScoringKernel.topK(
                    query: query,
                    rows: UnsafeBufferPointer(
                        rebasing: matrix[(block.lowerBound * dimension)..<(block.upperBound * dimension)]),
                    dimension: dimension, k: 5, firstRow: block.lowerBound, excluding: [3, 22, 30],
                    scratch: &scratch, indices: &indices, scores: &scores)
            }
        }
        let naive = block.filter { ![22, 30].contains($0) }.map { item in
            (item, (0..<dimension).reduce(Float(0)) { $0 + query[$1] * matrix[item * dimension + $1] })
        }.sorted { $0.1 > $1.1 }
        #expect(found == 5)
        #expect(indices.prefix(5).map(Int.init) == naive.prefix(5).map(\.0))
        for (score, expected) in zip(scores, naive.prefix(5)) { #expect(abs(score - expected.1) < 1e-5) }
    }
}
