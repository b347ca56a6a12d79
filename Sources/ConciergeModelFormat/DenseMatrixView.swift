public import ConciergeModel

/// Row-major float32 factors, straight from a mapped file or copied from memory. Holding a view keeps its
/// memory alive, so the buffers it hands out stay valid as long as the view (or its model) is alive.
public struct DenseMatrixView: @unchecked Sendable {
    // @unchecked: the buffers point into read-only memory owned by `memory`.
    public let rows: Int
    public let columns: Int
    /// All `rows × columns` values; the first is 64-byte aligned.
    public let values: UnsafeBufferPointer<Float>
    let memory: any ModelMemory

    init(storage: MappedFile, header: MatrixFileHeader) {
        self.rows = header.rows
        self.columns = header.columns
        self.values = storage.elements(of: Float.self, at: MatrixFileHeader.size, count: header.rows * header.columns)
        self.memory = storage
    }

    /// A copy of `matrix`.
    public init(copying matrix: DenseMatrix) {
        let copy = HeapCopy(matrix.values)
        rows = matrix.rows
        columns = matrix.columns
        values = copy.elements
        memory = copy
    }

    public func row(_ row: Int) -> UnsafeBufferPointer<Float> {
        // Checked in release builds too: the mapped buffer's own check is debug-only.
        precondition((0..<rows).contains(row), "row \(row) outside 0..<\(rows)")
        return UnsafeBufferPointer(rebasing: values[(row * columns)..<((row + 1) * columns)])
    }
}

extension DenseMatrix {
    /// Copies a mapped matrix into memory.
    public init(_ view: DenseMatrixView) {
        self.init(rows: view.rows, columns: view.columns, values: Array(view.values))
    }
}
