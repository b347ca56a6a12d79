import ConciergeModel
import Testing

@Suite struct SparseMatrixTests {
    @Test func entriesAreSortedAndDuplicatesAdded() {
        let matrix = SparseMatrix(
            rows: 3, columns: 4,
            triples: [(2, 3, 1), (0, 2, 1), (0, 1, 2), (0, 2, 4)])
        #expect(matrix.rowOffsets == [0, 2, 2, 3])
        #expect(matrix.columnIndices == [1, 2, 3])
        #expect(matrix.values == [2, 5, 1])
    }

    @Test func transposeTwiceIsIdentity() {
        var generator = SystemRandomNumberGenerator()
        let entries = (0..<500).map { _ in
            SparseMatrix.Entry(
                row: Int.random(in: 0..<40, using: &generator), column: Int.random(in: 0..<25, using: &generator),
                value: Float.random(in: 0.5...3, using: &generator))
        }
        let matrix = SparseMatrix(rows: 40, columns: 25, entries: entries)
        let transposed = matrix.transposed()
        #expect(transposed.rows == 25 && transposed.columns == 40)
        #expect(transposed.transposed() == matrix)
        for row in 0..<matrix.rows {
            for index in matrix.rowRange(row) {
                let column = Int(matrix.columnIndices[index])
                let back = transposed.rowRange(column).first { transposed.columnIndices[$0] == Int32(row) }
                #expect(back.map { transposed.values[$0] } == matrix.values[index])
            }
        }
    }
}
