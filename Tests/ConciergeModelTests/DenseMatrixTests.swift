import Testing

@testable import ConciergeModel

@Suite struct DenseMatrixTests {
    @Test(arguments: [1, 3, 4, 7, 8, 12, 13, 16, 24, 64, 70])
    func gramMatchesNaive(columns: Int) {
        var generator = SplitMix64(seed: UInt64(columns))
        let rows = 300
        let matrix = DenseMatrix(rows: rows, columns: columns, values: generator.floats(rows * columns))
        for threads in [1, 2] {
            let gram = matrix.gram(threads: threads)
            for a in 0..<columns {
                for b in 0..<columns {
                    var expected = 0.0
                    for row in 0..<rows { expected += Double(matrix[row, a]) * Double(matrix[row, b]) }
                    #expect(abs(Double(gram[a * columns + b]) - expected) < 1e-3, "[\(a), \(b)]")
                }
            }
        }
    }

    /// Many rows, as fold-in's `YᵀY` of a whole catalogue: the runs' Float sums are added in Double,
    /// so the error stays at a run's, far below a Float sum's over every row.
    @Test(arguments: [13, 64])
    func doubleGramOfManyRowsKeepsDoublePrecision(columns: Int) {
        var generator = SplitMix64(seed: 5)
        let rows = 20_000
        let values = generator.floats(rows * columns)
        for threads in [1, 2] {
            let gram = values.withUnsafeBufferPointer {
                DenseMatrix.gram(of: $0, rows: rows, columns: columns, threads: threads)
            }
            for a in 0..<columns {
                for b in 0..<columns {
                    var expected = 0.0
                    var magnitude = 0.0
                    for row in 0..<rows {
                        let product = Double(values[row * columns + a]) * Double(values[row * columns + b])
                        expected += product
                        magnitude += abs(product)
                    }
                    #expect(abs(gram[a * columns + b] - expected) < 1e-6 * magnitude, "[\(a), \(b)]")
                }
            }
        }
    }

    @Test(arguments: [1, 5, 8, 16, 24, 33, 64])
    func symmetricMultiplyMatchesNaive(size: Int) {
        var generator = SplitMix64(seed: 77)
        let half = generator.floats(size * size)
        var matrix = [Float](repeating: 0, count: size * size)
        for a in 0..<size {
            for b in 0..<size { matrix[a * size + b] = half[min(a, b) * size + max(a, b)] }
        }
        let x = generator.floats(size)
        var result = [Float](repeating: 0, count: size)
        matrix.withUnsafeBufferPointer { matrix in
            x.withUnsafeBufferPointer { x in
                result.withUnsafeMutableBufferPointer {
                    VectorKernels.symmetricMultiply(
                        matrix.baseAddress!, x.baseAddress!, scale: -2, $0.baseAddress!, size)
                }
            }
        }
        for a in 0..<size {
            let expected = -2 * (0..<size).reduce(0.0) { $0 + Double(matrix[a * size + $1]) * Double(x[$1]) }
            #expect(abs(Double(result[a]) - expected) < 1e-4)
        }
    }
}
