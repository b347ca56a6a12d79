/// A compressed sparse row (CSR) matrix: the guest × item interactions, item neighbour lists,
/// and per-hotel popularity are all kept this way.
public struct SparseMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// `rows + 1` offsets into `columnIndices` and `values`; row `r` is `rowOffsets[r]..<rowOffsets[r+1]`.
    public var rowOffsets: [Int]
    public var columnIndices: [Int32]
    public var values: [Float]

    public init(rows: Int, columns: Int, rowOffsets: [Int], columnIndices: [Int32], values: [Float]) {
        precondition(rowOffsets.count == rows + 1, "a CSR matrix with \(rows) rows needs \(rows + 1) offsets")
        precondition(columnIndices.count == values.count && rowOffsets.last == values.count)
        self.rows = rows
        self.columns = columns
        self.rowOffsets = rowOffsets
        self.columnIndices = columnIndices
        self.values = values
    }

    public struct Entry: Sendable, Equatable {
        public var row: Int
        public var column: Int
        public var value: Float

        public init(row: Int, column: Int, value: Float) {
            self.row = row
            self.column = column
            self.value = value
        }
    }

    /// Builds the matrix from entries in any order; entries at the same position are added up.
    /// Within a row, columns come out in increasing order.
    public init(rows: Int, columns: Int, entries: [Entry]) {
        var counts = [Int](repeating: 0, count: rows + 1)
        for entry in entries { counts[entry.row + 1] += 1 }
        for row in 0..<rows { counts[row + 1] += counts[row] }
        var next = counts
        var columnIndices = [Int32](repeating: 0, count: entries.count)
        var values = [Float](repeating: 0, count: entries.count)
        for entry in entries {
            columnIndices[next[entry.row]] = Int32(entry.column)
            values[next[entry.row]] = entry.value
            next[entry.row] += 1
        }
        var offsets = [0]
        offsets.reserveCapacity(rows + 1)
        var mergedColumns: [Int32] = []
        var mergedValues: [Float] = []
        mergedColumns.reserveCapacity(entries.count)
        mergedValues.reserveCapacity(entries.count)
        for row in 0..<rows {
            let range = counts[row]..<counts[row + 1]
            let order = range.sorted { columnIndices[$0] < columnIndices[$1] }
            for index in order {
                if mergedColumns.count > offsets[row], mergedColumns.last == columnIndices[index] {
                    mergedValues[mergedValues.count - 1] += values[index]
                } else {
                    mergedColumns.append(columnIndices[index])
                    mergedValues.append(values[index])
                }
            }
            offsets.append(mergedColumns.count)
        }
        self.init(rows: rows, columns: columns, rowOffsets: offsets, columnIndices: mergedColumns, values: mergedValues)
    }

    public var nonZeroCount: Int { values.count }

    public func rowRange(_ row: Int) -> Range<Int> { rowOffsets[row]..<rowOffsets[row + 1] }

    /// The first `count` rows, all columns.
    public func prefix(rows count: Int) -> SparseMatrix {
        precondition((0...rows).contains(count), "\(count) rows of \(rows)")
        let end = rowOffsets[count]
        return SparseMatrix(
            rows: count, columns: columns, rowOffsets: Array(rowOffsets[0...count]),
            columnIndices: Array(columnIndices[..<end]), values: Array(values[..<end]))
    }

    /// The same data with rows and columns swapped (item × user from user × item).
    public func transposed() -> SparseMatrix {
        var counts = [Int](repeating: 0, count: columns + 1)
        for column in columnIndices { counts[Int(column) + 1] += 1 }
        for column in 0..<columns { counts[column + 1] += counts[column] }
        var next = counts
        var indices = [Int32](repeating: 0, count: nonZeroCount)
        var transposedValues = [Float](repeating: 0, count: nonZeroCount)
        for row in 0..<rows {
            for index in rowRange(row) {
                let column = Int(columnIndices[index])
                indices[next[column]] = Int32(row)
                transposedValues[next[column]] = values[index]
                next[column] += 1
            }
        }
        return SparseMatrix(
            rows: columns, columns: rows, rowOffsets: counts, columnIndices: indices, values: transposedValues)
    }
}
