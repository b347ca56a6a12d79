public import ConciergeModel

/// A CSR matrix, straight from a mapped file or copied from memory: the user → items history, the item
/// neighbour lists or the per-hotel popularity. Like `DenseMatrixView`, it keeps its memory alive while it lives.
public struct SparseMatrixView: @unchecked Sendable {
    // @unchecked: the buffers point into read-only memory owned by `memory`.
    public let rows: Int
    public let columns: Int
    /// `rows + 1` offsets into `columnIndices` and `values`.
    public let rowOffsets: UnsafeBufferPointer<Int64>
    public let columnIndices: UnsafeBufferPointer<Int32>
    public let values: UnsafeBufferPointer<Float>
    let memory: [any ModelMemory]

    init(storage: MappedFile, header: MatrixFileHeader) {
        let sections = header.csrSections
        self.rows = header.rows
        self.columns = header.columns
        self.rowOffsets = storage.elements(of: Int64.self, at: sections.offsets, count: header.rows + 1)
        self.columnIndices = storage.elements(of: Int32.self, at: sections.indices, count: header.nonZeros)
        self.values = storage.elements(of: Float.self, at: sections.values, count: header.nonZeros)
        self.memory = [storage]
    }

    /// A copy of `matrix`.
    public init(copying matrix: SparseMatrix) {
        let offsets = HeapCopy(matrix.rowOffsets.lazy.map { Int64($0) })
        let indices = HeapCopy(matrix.columnIndices)
        let values = HeapCopy(matrix.values)
        rows = matrix.rows
        columns = matrix.columns
        rowOffsets = offsets.elements
        columnIndices = indices.elements
        self.values = values.elements
        memory = [offsets, indices, values]
    }

    public var nonZeroCount: Int { values.count }

    public func rowRange(_ row: Int) -> Range<Int> {
        // Checked in release builds too: the mapped buffer's own check is debug-only.
        precondition((0..<rows).contains(row), "row \(row) outside 0..<\(rows)")
        return Int(rowOffsets[row])..<Int(rowOffsets[row + 1])
    }

    /// The column indices of one row (neighbour or item indices, in stored order).
    public func columnIndices(ofRow row: Int) -> UnsafeBufferPointer<Int32> {
        UnsafeBufferPointer(rebasing: columnIndices[rowRange(row)])
    }

    /// The values of one row, aligned with `columnIndices(ofRow:)`.
    public func values(ofRow row: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(rebasing: values[rowRange(row)])
    }
}

extension SparseMatrix {
    /// Copies a mapped matrix into memory.
    public init(_ view: SparseMatrixView) {
        self.init(
            rows: view.rows, columns: view.columns, rowOffsets: view.rowOffsets.map { Int($0) },
            columnIndices: Array(view.columnIndices), values: Array(view.values))
    }
}
