import COpenBLAS

/// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): a closed-form item-item model
/// with one L2 weight λ. Per block (hotel), `B = I − P · diag(1 / diag(P))` with `P = (XᵀX + λI)⁻¹`, X the
/// guest × item matrix restricted to the block; B's diagonal is zero, and a guest's scores are `x · B`.
///
/// The inverse is computed in `Double` by LAPACK (Debian's OpenBLAS): XᵀX + λI is symmetric positive definite,
/// so a Cholesky factorisation (`dpotrf`) and the inverse from it (`dpotri`) are all it takes. B is kept in
/// `Float`, as the model format stores it.
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

    /// Blocks of at least this many items are factorised one at a time, by OpenBLAS on all the threads; smaller
    /// ones side by side, one per thread, each by OpenBLAS on that thread alone. Below a few hundred items an
    /// inverse takes about a millisecond, too little to share among threads, and a hotel per thread keeps them
    /// all busy; a large hotel's n³ inverse is what needs every thread.
    public static let smallestSharedBlock = 512

    /// Fits B for every block of `userItems`' columns on `threads` threads.
    public init(userItems: SparseMatrix, blocks: [Range<Int>], configuration: Configuration, threads: Int) {
        var weights = [Float](repeating: 0, count: Self.weightCount(blocks: blocks))
        let offsets = Self.blockOffsets(blocks: blocks)
        let small = blocks.indices.filter { blocks[$0].count < Self.smallestSharedBlock }
        let large = blocks.indices.filter { blocks[$0].count >= Self.smallestSharedBlock }
        weights.withUnsafeMutableBufferPointer { output in
            func fit(_ index: Int) {
                let target = UnsafeMutableBufferPointer(rebasing: output[offsets[index]..<offsets[index + 1]])
                Self.fitBlock(userItems, block: blocks[index], configuration: configuration, into: target)
            }
            // OpenBLAS's thread count is one setting for the process, and threads of its own on top of the
            // workers here would oversubscribe the cores: while the workers each fit blocks, it stays on the
            // calling thread; for a large block, fitted alone, it gets the threads instead.
            openblas_set_num_threads(1)
            ParallelLoop.forEachChunk(count: small.count, chunkSize: 1, threads: threads) { chunk in
                for position in chunk { fit(small[position]) }
            }
            openblas_set_num_threads(Int32(max(1, threads)))
            for index in large { fit(index) }
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
        _ userItems: SparseMatrix, block: Range<Int>, configuration: Configuration,
        into b: UnsafeMutableBufferPointer<Float>
    ) {
        let n = block.count
        guard n > 0 else { return }
        var system = gram(userItems, block: block, input: configuration.input)
        system.withUnsafeMutableBufferPointer { matrix in
            let a = matrix.baseAddress!
            for i in 0..<n { a[i * n + i] += configuration.lambda }
            invertPositiveDefinite(a, n)
            write(b.baseAddress!, fromInverse: a, n)
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

    /// Replaces the lower triangle of the symmetric positive-definite row-major `a` by that of its inverse. LAPACK
    /// is column-major, where this triangle is the upper one ('U').
    static func invertPositiveDefinite(_ a: UnsafeMutablePointer<Double>, _ n: Int) {
        var order = Int32(n)
        var leadingDimension = Int32(n)
        var info: Int32 = 0
        dpotrf_("U", &order, a, &leadingDimension, &info, 1)
        precondition(info == 0, "XᵀX + λI is positive definite for λ > 0; dpotrf says \(info)")
        dpotri_("U", &order, a, &leadingDimension, &info, 1)
        precondition(info == 0, "dpotri says \(info)")
    }

    /// Writes B into `b` from P's lower triangle in `a`: `Bᵢⱼ = −Pᵢⱼ / Pⱼⱼ` off the diagonal, 0 on it.
    static func write(_ b: UnsafeMutablePointer<Float>, fromInverse a: UnsafePointer<Double>, _ n: Int) {
        for i in 0..<n {
            b[i * n + i] = 0
            for j in 0..<i {
                let p = a[i * n + j]
                b[i * n + j] = Float(-p / a[j * n + j])
                b[j * n + i] = Float(-p / a[i * n + i])
            }
        }
    }
}
