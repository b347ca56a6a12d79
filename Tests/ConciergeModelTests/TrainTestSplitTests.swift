import ConciergeModel
import Testing

@Suite struct TrainTestSplitTests {
    @Test func perUserHoldoutIsDeterministicAndComplete() {
        var generator = SplitMix64(seed: 2)
        var matrix = generator.sparse(rows: 80, columns: 50, density: 0.1)
        // Make sure some guests have exactly one item.
        matrix = SparseMatrix(
            rows: 82, columns: 50,
            entries: (0..<80).flatMap { user in
                matrix.rowRange(user).map {
                    SparseMatrix.Entry(row: user, column: Int(matrix.columnIndices[$0]), value: matrix.values[$0])
                }
            } + [.init(row: 80, column: 3, value: 2), .init(row: 81, column: 9, value: 1)])
        let (train, test) = TrainTestSplit.split(matrix, testFraction: 0.25, seed: 99)
        let again = TrainTestSplit.split(matrix, testFraction: 0.25, seed: 99)
        let other = TrainTestSplit.split(matrix, testFraction: 0.25, seed: 100)
        #expect(train == again.train && test == again.test)
        #expect(test != other.test)
        for user in 0..<matrix.rows {
            let count = matrix.rowRange(user).count
            let held = test.rowRange(user).count
            if count < 2 {
                #expect(held == 0)
            } else {
                #expect(held == min(count - 1, max(1, Int((Double(count) * 0.25).rounded()))))
            }
            var union: [Int32: Float] = [:]
            for index in train.rowRange(user) { union[train.columnIndices[index]] = train.values[index] }
            for index in test.rowRange(user) {
                #expect(union[test.columnIndices[index]] == nil)
                union[test.columnIndices[index]] = test.values[index]
            }
            let original = Dictionary(
                uniqueKeysWithValues: matrix.rowRange(user).map { (matrix.columnIndices[$0], matrix.values[$0]) })
            #expect(union == original)
        }
    }
}
