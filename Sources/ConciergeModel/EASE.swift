/// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): a closed-form item-item model
/// with one L2 weight λ. Per block (hotel), `B = I − P · diag(1 / diag(P))` with `P = (XᵀX + λI)⁻¹`, X the
/// guest × item matrix restricted to the block; B's diagonal is zero, and a guest's scores are `x · B`.
///
/// The inverse is computed in `Double` by a hand-written Cholesky factorisation (the package binds no LAPACK,
/// and the Gram matrix plus λI is symmetric positive definite, which is exactly what Cholesky needs), its
/// columns spread over the threads; B is kept in `Float`, as the model format stores it.
public struct EASE: Sendable {
    /// What a cell of X holds.
    public enum Input: String, Sendable, Hashable, CaseIterable {
        /// 1 where the guest ordered the item: Steck's formulation.
        case binary
        /// The units the guest ordered.
        case units
    }

    public struct Configuration: Sendable, Hashable {
        public var lambda: Double
        public var input: Input

        public init(lambda: Double, input: Input) {
            precondition(lambda > 0 && lambda.isFinite, "EASE needs a positive, finite λ, not \(lambda)")
            self.lambda = lambda
            self.input = input
        }
    }

    public let configuration: Configuration
    public let blocks: [Range<Int>]
    /// Each block's B, row-major `n × n` (n its items, row i = what local item i adds to every item's score),
    /// the blocks one after the other in block order: the layout of `ease_weights.f32`.
    public let weights: [Float]

    /// Fits B for every block of `userItems`' columns on `threads` threads.
    public init(userItems: SparseMatrix, blocks: [Range<Int>], configuration: Configuration, threads: Int) {
        var weights = [Float](repeating: 0, count: Self.weightCount(blocks: blocks))
        weights.withUnsafeMutableBufferPointer { output in
            var start = 0
            for block in blocks {
                let n = block.count
                let target = UnsafeMutableBufferPointer(rebasing: output[start..<(start + n * n)])
                Self.fitBlock(userItems, block: block, configuration: configuration, threads: threads, into: target)
                start += n * n
            }
        }
        self.configuration = configuration
        self.blocks = blocks
        self.weights = weights
    }

    /// Values of all blocks' B: Σ nₕ².
    public static func weightCount(blocks: [Range<Int>]) -> Int { blocks.reduce(0) { $0 + $1.count * $1.count } }

    /// Where each block's B starts in `weights`, and one past the last.
    public static func blockOffsets(blocks: [Range<Int>]) -> [Int] {
        blocks.reduce(into: [0]) { $0.append($0.last! + $1.count * $1.count) }
    }

    /// X's cell for `value` units.
    @inline(__always)
    static func cell(_ value: Float, _ input: Input) -> Double { input == .binary ? 1 : Double(value) }

    // MARK: - One block

    private static func fitBlock(
        _ userItems: SparseMatrix, block: Range<Int>, configuration: Configuration, threads: Int,
        into b: UnsafeMutableBufferPointer<Float>
    ) {
        let n = block.count
        guard n > 0 else { return }
        var system = gram(userItems, block: block, input: configuration.input)
        system.withUnsafeMutableBufferPointer { matrix in
            let a = matrix.baseAddress!
            for i in 0..<n { a[i * n + i] += configuration.lambda }
            cholesky(a, n, threads: threads)
            invertInto(b.baseAddress!, factor: a, n, threads: threads)
        }
    }

    /// The lower triangle (with the diagonal) of the block's `XᵀX`, row-major `n × n`, in Double.
    static func gram(_ userItems: SparseMatrix, block: Range<Int>, input: Input) -> [Double] {
        let n = block.count
        var result = [Double](repeating: 0, count: n * n)
        let first = Int32(block.lowerBound)
        let end = Int32(block.upperBound)
        for user in 0..<userItems.rows {
            let row = userItems.rowRange(user)
            // A row's columns ascend, so its entries in the block are one run.
            var start = row.lowerBound
            while start < row.upperBound, userItems.columnIndices[start] < first { start += 1 }
            var stop = start
            while stop < row.upperBound, userItems.columnIndices[stop] < end { stop += 1 }
            for later in start..<stop {
                let i = Int(userItems.columnIndices[later] - first)
                let xi = cell(userItems.values[later], input)
                for earlier in start...later {
                    let j = Int(userItems.columnIndices[earlier] - first)
                    result[i * n + j] += xi * cell(userItems.values[earlier], input)
                }
            }
        }
        return result
    }

    /// Overwrites the lower triangle of the symmetric positive-definite `a` with L (`a = L·Lᵀ`) and its upper
    /// triangle with Lᵀ, so that both triangular solves read rows. Column by column (Crout): the entries below
    /// the diagonal of one column depend only on earlier columns, so they are spread over the threads.
    static func cholesky(_ a: UnsafeMutablePointer<Double>, _ n: Int, threads: Int) {
        for j in 0..<n {
            let rowJ = a + j * n
            let pivot = rowJ[j] - dot(rowJ, rowJ, j)
            precondition(pivot > 0, "XᵀX + λI is positive definite for λ > 0; pivot \(pivot) at \(j)")
            let diagonal = pivot.squareRoot()
            rowJ[j] = diagonal
            // About 64k multiply-adds per chunk, so that small columns are not split.
            let chunk = max(1, 65_536 / max(j, 1))
            ParallelLoop.forEachChunk(count: n - j - 1, chunkSize: chunk, threads: threads) { rows in
                for offset in rows {
                    let rowI = a + (j + 1 + offset) * n
                    rowI[j] = (rowI[j] - dot(rowI, rowJ, j)) / diagonal
                }
            }
        }
        for i in 0..<n {
            for j in 0..<i { a[j * n + i] = a[i * n + j] }
        }
    }

    /// Writes B of the factored `a` (see `cholesky`) into `b`. Column c of P solves `L·Lᵀ·p = e_c`; only its
    /// entries from c on are needed (P is symmetric), which the columns compute in parallel into B's rows c,
    /// before B is formed from P and its diagonal.
    static func invertInto(
        _ b: UnsafeMutablePointer<Float>, factor a: UnsafeMutablePointer<Double>, _ n: Int, threads: Int
    ) {
        var diagonal = [Double](repeating: 0, count: n)
        diagonal.withUnsafeMutableBufferPointer { diagonalBuffer in
            let pDiagonal = diagonalBuffer.baseAddress!
            ParallelLoop.forEachChunk(count: n, chunkSize: max(1, 16_384 / n), threads: threads) { columns in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { scratch in
                    let y = scratch.baseAddress!
                    for c in columns {
                        // L·y = e_c: y is zero before c.
                        for i in c..<n {
                            let rowI = a + i * n
                            let rest = dot(rowI + c, y + c, i - c)
                            y[i] = ((i == c ? 1 : 0) - rest) / rowI[i]
                        }
                        // Lᵀ·p = y, from the bottom up to c, in place.
                        for i in stride(from: n - 1, through: c, by: -1) {
                            let rowI = a + i * n
                            y[i] = (y[i] - dot(rowI + i + 1, y + i + 1, n - i - 1)) / rowI[i]
                        }
                        pDiagonal[c] = y[c]
                        for i in c..<n { b[c * n + i] = Float(y[i]) }
                    }
                }
            }
            for i in 0..<n {
                b[i * n + i] = 0
                for j in (i + 1)..<n {
                    let p = Double(b[i * n + j])
                    b[i * n + j] = Float(-p / pDiagonal[j])
                    b[j * n + i] = Float(-p / pDiagonal[i])
                }
            }
        }
    }

    /// `a · b` over `count` Doubles, in four independent lanes.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
        var sum = SIMD4<Double>()
        var index = 0
        while index + 4 <= count {
            sum +=
                UnsafeRawPointer(a + index).loadUnaligned(as: SIMD4<Double>.self)
                * UnsafeRawPointer(b + index).loadUnaligned(as: SIMD4<Double>.self)
            index += 4
        }
        var total = (sum[0] + sum[1]) + (sum[2] + sum[3])
        while index < count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }
}
