/// Alternating least squares for implicit feedback (Hu, Koren, Volinsky 2008), each half-step
/// solved approximately by a few conjugate-gradient steps warm-started from the previous
/// factors (Takács, Pilászy, Tikk 2011), as implicit's `least_squares_cg` does.
///
/// For user `u` the least-squares problem is `(YᵀY + Yᵀ(Cᵤ − I)Y + λI) xᵤ = YᵀCᵤpᵤ`; `YᵀY` is
/// shared by all users and computed once per half-step, so the per-user cost is proportional
/// to the number of items the user has, not to the catalogue.
public struct ImplicitALS: Sendable {
    /// How an entry `r` of the interaction matrix (units ordered) becomes a confidence `c`.
    /// In both modes the preference `p` is 1 for a positive entry; a negative entry (an
    /// explicit dislike, as implicit allows) has `p = 0` and the confidence of its magnitude.
    public enum ConfidenceMode: Sendable, Hashable {
        /// `c = 1 + alpha · r`, the paper's linear confidence.
        case linear
        /// `c = alpha · r`: implicit 0.7 multiplies the matrix by alpha and then uses the values
        /// as the confidence itself, so a unit entry with `alpha = 1` weighs no more than a
        /// missing one. Use this to compare with implicit like for like.
        case implicitLibrary

        /// The confidence of an entry of magnitude `magnitude`.
        @inlinable
        public func confidence(_ magnitude: Float, alpha: Float) -> Float {
            switch self {
            case .linear: 1 + alpha * magnitude
            case .implicitLibrary: alpha * magnitude
            }
        }
    }

    public struct Configuration: Sendable, Hashable {
        public var factors: Int
        public var regularization: Float
        public var alpha: Float
        public var iterations: Int
        /// Conjugate-gradient steps per user or item and half-iteration; implicit uses 3.
        public var cgSteps: Int
        /// Seeds the initial factors: uniform in `[0, 0.01)`, the distribution implicit 0.7
        /// uses (numpy's `random(...) * 0.01`). The streams differ, so a run with the same seed
        /// as implicit starts from different numbers with the same statistics.
        public var seed: UInt64
        public var threads: Int
        public var confidence: ConfidenceMode
        /// Computes implicit's training loss after every iteration and passes it to the progress
        /// callback. It costs about one more half-step per iteration, so it is off by default.
        public var computeLoss: Bool

        public init(
            factors: Int = 64, regularization: Float = 0.01, alpha: Float = 1, iterations: Int = 15,
            cgSteps: Int = 3, seed: UInt64 = 0, threads: Int = 2, confidence: ConfidenceMode = .linear,
            computeLoss: Bool = false
        ) {
            self.factors = factors
            self.regularization = regularization
            self.alpha = alpha
            self.iterations = iterations
            self.cgSteps = cgSteps
            self.seed = seed
            self.threads = threads
            self.confidence = confidence
            self.computeLoss = computeLoss
        }
    }

    /// Reported to the progress callback after each full iteration (users then items).
    public struct Iteration: Sendable, Hashable {
        /// Counted from 0, as implicit's fit callback does.
        public var iteration: Int
        /// Wall time of this iteration, not counting the loss.
        public var elapsed: Duration
        /// Wall time since `fit` started, not counting the loss.
        public var totalElapsed: Duration
        /// implicit's `calculate_loss` after this iteration, if `computeLoss` is set.
        public var loss: Double?
    }

    public var configuration: Configuration

    public init(configuration: Configuration = .init()) {
        precondition(configuration.factors > 0 && configuration.iterations >= 0 && configuration.cgSteps >= 0)
        self.configuration = configuration
    }

    /// Factorises `userItems` (guests × items, values = units ordered).
    public func fit(userItems: SparseMatrix, progress: (Iteration) -> Void = { _ in }) -> ALSModel {
        let clock = ContinuousClock()
        let start = clock.now
        var lossTime = Duration.zero
        let factors = configuration.factors
        let users = Weights(userItems, configuration)
        let items = Weights(userItems.transposed(), configuration)

        var generator = SplitMix64(seed: configuration.seed)
        var userFactors = DenseMatrix(rows: userItems.rows, columns: factors)
        var itemFactors = DenseMatrix(rows: userItems.columns, columns: factors)
        for index in userFactors.values.indices { userFactors.values[index] = generator.nextUnitFloat() * 0.01 }
        for index in itemFactors.values.indices { itemFactors.values[index] = generator.nextUnitFloat() * 0.01 }

        for iteration in 0..<configuration.iterations {
            let iterationStart = clock.now
            solve(users, solving: &userFactors, fixed: itemFactors)
            solve(items, solving: &itemFactors, fixed: userFactors)
            let elapsed = clock.now - iterationStart
            var loss: Double?
            if configuration.computeLoss {
                let lossStart = clock.now
                loss = Self.loss(users, userFactors: userFactors, itemFactors: itemFactors, configuration)
                lossTime += clock.now - lossStart
            }
            progress(
                Iteration(
                    iteration: iteration, elapsed: elapsed, totalElapsed: clock.now - start - lossTime, loss: loss))
        }
        return ALSModel(
            userFactors: userFactors, itemFactors: itemFactors, regularization: configuration.regularization,
            alpha: configuration.alpha, confidence: configuration.confidence)
    }

    /// One conjugate-gradient half-step: new factors for every row of `userItems` against the
    /// fixed `itemFactors`, starting from `initial` (implicit's `least_squares_cg`). With
    /// `cgSteps` at least the number of factors it reaches the exact least-squares
    /// solution (up to Float rounding), which `ALSModel.recalculateUser` computes directly.
    public func leastSquares(userItems: SparseMatrix, itemFactors: DenseMatrix, initial: DenseMatrix) -> DenseMatrix {
        precondition(userItems.columns == itemFactors.rows && initial.rows == userItems.rows)
        precondition(itemFactors.columns == configuration.factors && initial.columns == configuration.factors)
        var result = initial
        solve(Weights(userItems, configuration), solving: &result, fixed: itemFactors)
        return result
    }

    /// implicit's `calculate_loss`: `Σ c (p − xᵀy)² + λ(‖X‖² + ‖Y‖²)` over every user × item
    /// pair (missing pairs have `c = 1`, `p = 0`), divided by `Σ c + users · items − nnz`.
    public func loss(userItems: SparseMatrix, userFactors: DenseMatrix, itemFactors: DenseMatrix) -> Double {
        Self.loss(Weights(userItems, configuration), userFactors: userFactors, itemFactors: itemFactors, configuration)
    }

    /// The rows of a CSR matrix with each entry turned into what the solver needs:
    /// `c − 1`, which scales `yyᵀ` in the system matrix, and `c · p`, the right-hand side.
    struct Weights {
        let rows: Int
        let offsets: [Int]
        let indices: [Int32]
        let excess: [Float]
        let targets: [Float]

        init(_ matrix: SparseMatrix, _ configuration: Configuration) {
            rows = matrix.rows
            offsets = matrix.rowOffsets
            indices = matrix.columnIndices
            var excess = [Float](repeating: 0, count: matrix.nonZeroCount)
            var targets = [Float](repeating: 0, count: matrix.nonZeroCount)
            for (index, value) in matrix.values.enumerated() {
                let confidence = configuration.confidence.confidence(abs(value), alpha: configuration.alpha)
                excess[index] = confidence - 1
                targets[index] = value > 0 ? confidence : 0
            }
            self.excess = excess
            self.targets = targets
        }
    }

    private func solve(_ weights: Weights, solving x: inout DenseMatrix, fixed y: DenseMatrix) {
        let factors = configuration.factors
        let cgSteps = configuration.cgSteps
        var system = y.gram(threads: configuration.threads)
        for diagonal in 0..<factors { system[diagonal * factors + diagonal] += configuration.regularization }
        let threads = configuration.threads
        x.values.withUnsafeMutableBufferPointer { x in
            let x = x.baseAddress!
            Problem.with(weights, system: system, y: y) { problem in
                // Chunks of 8 rows, as implicit's prange(chunksize=8).
                ParallelLoop.forEachChunk(count: weights.rows, chunkSize: 8, threads: threads) { chunk in
                    problem.conjugateGradient(rows: chunk, x: x, steps: cgSteps)
                }
            }
        }
    }

    private static func loss(
        _ weights: Weights, userFactors: DenseMatrix, itemFactors: DenseMatrix, _ configuration: Configuration
    ) -> Double {
        let gram = itemFactors.gram(threads: configuration.threads)
        let chunkSize = 64
        let chunks = (weights.rows + chunkSize - 1) / chunkSize
        // Per-chunk sums added up in chunk order, so the loss does not depend on scheduling.
        var partial = [Double](repeating: 0, count: chunks * 3)
        partial.withUnsafeMutableBufferPointer { partial in
            userFactors.values.withUnsafeBufferPointer { x in
                let x = x.baseAddress!
                let partial = partial.baseAddress!
                Problem.with(weights, system: gram, y: itemFactors) { problem in
                    ParallelLoop.forEachChunk(count: weights.rows, chunkSize: chunkSize, threads: configuration.threads)
                    {
                        chunk in
                        let sums = problem.loss(rows: chunk, x: x)
                        let slot = partial + 3 * (chunk.lowerBound / chunkSize)
                        slot[0] = sums.loss
                        slot[1] = sums.confidence
                        slot[2] = sums.userNorm
                    }
                }
            }
        }
        var loss = 0.0, totalConfidence = 0.0, userNorm = 0.0
        for chunk in 0..<chunks {
            loss += partial[3 * chunk]
            totalConfidence += partial[3 * chunk + 1]
            userNorm += partial[3 * chunk + 2]
        }
        let itemNorm = itemFactors.values.reduce(0.0) { $0 + Double($1) * Double($1) }
        loss += Double(configuration.regularization) * (itemNorm + userNorm)
        let cells = Double(userFactors.rows) * Double(itemFactors.rows)
        return loss / (totalConfidence + cells - Double(weights.indices.count))
    }

    /// Raw pointers into one half-step's inputs, valid for the duration of `solve` or `loss`.
    private struct Problem {
        /// Runs `body` with the pointers of one half-step's arrays, valid for the call only.
        static func with(_ weights: Weights, system: [Float], y: DenseMatrix, _ body: (Problem) -> Void) {
            system.withUnsafeBufferPointer { system in
                y.values.withUnsafeBufferPointer { yValues in
                    weights.offsets.withUnsafeBufferPointer { offsets in
                        weights.indices.withUnsafeBufferPointer { indices in
                            weights.excess.withUnsafeBufferPointer { excess in
                                weights.targets.withUnsafeBufferPointer { targets in
                                    body(
                                        Problem(
                                            factors: y.columns, system: system.baseAddress!, y: yValues.baseAddress!,
                                            offsets: offsets.baseAddress!, indices: indices.baseAddress!,
                                            excess: excess.baseAddress!, targets: targets.baseAddress!))
                                }
                            }
                        }
                    }
                }
            }
        }

        let factors: Int
        /// `YᵀY + λI` when solving, `YᵀY` when computing the loss.
        let system: UnsafePointer<Float>
        let y: UnsafePointer<Float>
        let offsets: UnsafePointer<Int>
        let indices: UnsafePointer<Int32>
        let excess: UnsafePointer<Float>
        let targets: UnsafePointer<Float>

        /// implicit's `_least_squares_cg` loop body for each row in `rows`, updating `x` in place.
        func conjugateGradient(rows: Range<Int>, x: UnsafeMutablePointer<Float>, steps: Int) {
            let n = factors
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 3 * n)
            defer { scratch.deallocate() }
            let residual = scratch, direction = scratch + n, product = scratch + 2 * n
            for row in rows {
                let xu = x + row * n
                let entries = offsets[row]..<offsets[row + 1]
                if entries.isEmpty {
                    xu.update(repeating: 0, count: n)
                    continue
                }
                // r = b − A x, with A x = (YᵀY + λI) x + Σ (c − 1)(yᵀx) y.
                VectorKernels.symmetricMultiply(system, xu, scale: -1, residual, n)
                // Two items at a time share the loads of x and of the residual.
                var entry = entries.lowerBound
                while entry + 1 < entries.upperBound {
                    let first = y + Int(indices[entry]) * n, second = y + Int(indices[entry + 1]) * n
                    let (dotFirst, dotSecond) = VectorKernels.dot2(first, second, xu, n)
                    VectorKernels.axpy2(
                        targets[entry] - excess[entry] * dotFirst, first,
                        targets[entry + 1] - excess[entry + 1] * dotSecond, second, residual, n)
                    entry += 2
                }
                if entry < entries.upperBound {
                    let yi = y + Int(indices[entry]) * n
                    VectorKernels.axpy(targets[entry] - excess[entry] * VectorKernels.dot(yi, xu, n), yi, residual, n)
                }
                direction.update(from: residual, count: n)
                var residualNorm = VectorKernels.dot(residual, residual, n)
                if residualNorm < 1e-20 { continue }
                for _ in 0..<steps {
                    VectorKernels.symmetricMultiply(system, direction, scale: 1, product, n)
                    var pending: UnsafePointer<Float>?
                    var pendingWeight: Float = 0
                    for entry in entries {
                        let weight = excess[entry]
                        // Entries with c = 1 add nothing to A (implicitLibrary mode, r · alpha = 1).
                        if weight == 0 { continue }
                        let yi = y + Int(indices[entry]) * n
                        if let first = pending {
                            let (dotFirst, dotSecond) = VectorKernels.dot2(first, yi, direction, n)
                            VectorKernels.axpy2(pendingWeight * dotFirst, first, weight * dotSecond, yi, product, n)
                            pending = nil
                        } else {
                            pending = yi
                            pendingWeight = weight
                        }
                    }
                    if let first = pending {
                        VectorKernels.axpy(pendingWeight * VectorKernels.dot(first, direction, n), first, product, n)
                    }
                    let step = residualNorm / VectorKernels.dot(direction, product, n)
                    VectorKernels.axpy(step, direction, xu, n)
                    VectorKernels.axpy(-step, product, residual, n)
                    let newNorm = VectorKernels.dot(residual, residual, n)
                    if newNorm < 1e-20 { break }
                    VectorKernels.xpby(residual, newNorm / residualNorm, direction, n)
                    residualNorm = newNorm
                }
            }
        }

        /// implicit's `_calculate_loss` user loop over `rows`: `xᵀ(YᵀY)x − 2 bᵀx + Σ(c−1)(yᵀx)²
        /// + Σ c p²`, which is `Σ c (p − xᵀy)²` without forming the dense row.
        func loss(rows: Range<Int>, x: UnsafePointer<Float>) -> (loss: Double, confidence: Double, userNorm: Double) {
            let n = factors
            let product = UnsafeMutablePointer<Float>.allocate(capacity: n)
            defer { product.deallocate() }
            var loss = 0.0, confidence = 0.0, userNorm = 0.0
            for row in rows {
                let xu = x + row * n
                VectorKernels.symmetricMultiply(system, xu, scale: 1, product, n)
                for entry in offsets[row]..<offsets[row + 1] {
                    let yi = y + Int(indices[entry]) * n
                    let weight = -2 * targets[entry] + excess[entry] * VectorKernels.dot(yi, xu, n)
                    VectorKernels.axpy(weight, yi, product, n)
                    confidence += Double(excess[entry] + 1)
                    // c p², p ∈ {0, 1}
                    loss += Double(targets[entry])
                }
                loss += Double(VectorKernels.dot(product, xu, n))
                userNorm += Double(VectorKernels.dot(xu, xu, n))
            }
            return (loss, confidence, userNorm)
        }
    }
}
