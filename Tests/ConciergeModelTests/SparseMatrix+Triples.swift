import ConciergeModel

extension SparseMatrix {
    /// A matrix from (row, column, value) triples: how the tests spell small matrices out.
    init(rows: Int, columns: Int, triples: [(Int, Int, Float)]) {
        self.init(rows: rows, columns: columns, entries: triples.map { .init(row: $0.0, column: $0.1, value: $0.2) })
    }
}
