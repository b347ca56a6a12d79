/// A row-major matrix of `Float`: user or item factors, one row per user or item.
public struct DenseMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// `rows * columns` values, row after row.
    public var values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "a \(rows)×\(columns) matrix needs \(rows * columns) values")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: value, count: rows * columns))
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// The values of one row.
    public func row(_ row: Int) -> ArraySlice<Float> {
        values[(row * columns)..<((row + 1) * columns)]
    }
}

extension DenseMatrix {
    /// `MᵀM` (`columns × columns`, row-major): `YᵀY` of the item factors, shared by every
    /// user's least-squares problem.
    func gram(threads: Int = 1) -> [Float] {
        values.withUnsafeBufferPointer { Self.gram(of: $0, rows: rows, columns: columns, threads: threads) }
            .map(Float.init)
    }

    /// `MᵀM` of the row-major `rows × columns` matrix `values`, summed in Double on `threads` threads.
    public static func gram(of values: UnsafeBufferPointer<Float>, rows: Int, columns: Int, threads: Int) -> [Double] {
        precondition(values.count == rows * columns, "a \(rows)×\(columns) matrix needs \(rows * columns) values")
        var result = [Double](repeating: 0, count: columns * columns)
        guard columns > 0, let y = values.baseAddress else { return result }
        let tiles = (columns + 3) / 4
        result.withUnsafeMutableBufferPointer { output in
            let out = output.baseAddress!
            // Tiles own disjoint output rows, so workers never write the same memory.
            ParallelLoop.forEachChunk(count: tiles, chunkSize: 1, threads: threads) { chunk in
                for tile in chunk {
                    VectorKernels.gramUpperTiles(y, rows: rows, columns: columns, rowTile: tile, into: out)
                }
            }
            VectorKernels.mirrorLowerTriangle(out, columns)
        }
        return result
    }

    /// The Euclidean norm of every row.
    func rowNorms() -> [Float] {
        values.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [Float](repeating: 0, count: rows) }
            return (0..<rows).map { row in
                let start = base + row * columns
                return VectorKernels.dot(start, start, columns).squareRoot()
            }
        }
    }
}
