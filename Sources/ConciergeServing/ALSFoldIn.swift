import ConciergeModel
import ConciergeModelFormat

/// Solves a guest's factors from a few items against fixed item factors: Hu, Koren and Volinsky's
/// least-squares step, `(YᵀY + λI + Σ (cᵢ − 1) yᵢyᵢᵀ) x = Σ cᵢ yᵢ` over the guest's items, as
/// implicit's `recalculate_user`. `YᵀY + λI` is formed once at load, so a query costs a rank-one
/// update per item and an f × f Cholesky factorisation.
struct ALSFoldIn: Sendable {
    let factors: Int
    let regularization: Double
    let alpha: Float
    let confidence: ImplicitALS.ConfidenceMode
    /// `YᵀY + λI`, full and row-major, in Double: the factorisation cancels enough that Float
    /// would move the solution visibly away from the trained factors.
    private let regularizedGram: [Double]

    /// `threads` share the `YᵀY` product: a million items × 64 factors is 2 billion multiply-adds.
    init(
        itemFactors: DenseMatrixView, regularization: Double, alpha: Float, confidence: ImplicitALS.ConfidenceMode,
        threads: Int
    ) {
        let n = itemFactors.columns
        var gram = DenseMatrix.gram(of: itemFactors.values, rows: itemFactors.rows, columns: n, threads: threads)
        for a in 0..<n { gram[a * n + a] += regularization }
        self.factors = n
        self.regularization = regularization
        self.alpha = alpha
        self.confidence = confidence
        self.regularizedGram = gram
    }

    /// Writes the factors of a guest who ordered `units[j]` of item `items[j]` (distinct items)
    /// into `solution`; false if the system is not positive definite, which only a version trained
    /// without regularisation can produce.
    func solve(
        items: UnsafeBufferPointer<Int32>, units: UnsafeBufferPointer<Float>, itemFactors: DenseMatrixView,
        into solution: UnsafeMutableBufferPointer<Float>
    ) -> Bool {
        let n = factors
        precondition(solution.count == n && items.count == units.count)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: n * n + n) { buffer in
            let system = buffer.baseAddress!
            let rhs = system + n * n
            _ = UnsafeMutableBufferPointer(start: system, count: n * n).initialize(from: regularizedGram)
            rhs.initialize(repeating: 0, count: n)
            // Only the lower triangle is updated and factorised.
            for (item, amount) in zip(items, units) {
                let row = itemFactors.row(Int(item)).baseAddress!
                let weight = Double(confidence.confidence(amount, alpha: alpha))
                let excess = weight - 1
                for a in 0..<n {
                    let value = Double(row[a])
                    rhs[a] += weight * value
                    let scaled = excess * value
                    for b in 0...a { system[a * n + b] += scaled * Double(row[b]) }
                }
            }
            guard Self.choleskyInPlace(system, n) else { return false }
            Self.substitute(system, rhs, n)
            for a in 0..<n { solution[a] = Float(rhs[a]) }
            return true
        }
    }

    /// Overwrites the lower triangle of `matrix` with `L`, where `matrix = L Lᵀ`.
    private static func choleskyInPlace(_ matrix: UnsafeMutablePointer<Double>, _ n: Int) -> Bool {
        for j in 0..<n {
            let rowJ = matrix + j * n
            var diagonal = rowJ[j]
            for k in 0..<j { diagonal -= rowJ[k] * rowJ[k] }
            guard diagonal > 0 else { return false }
            let pivot = diagonal.squareRoot()
            rowJ[j] = pivot
            for i in (j + 1)..<max(j + 1, n) {
                let rowI = matrix + i * n
                var value = rowI[j]
                for k in 0..<j { value -= rowI[k] * rowJ[k] }
                rowI[j] = value / pivot
            }
        }
        return true
    }

    /// Solves `L Lᵀ x = b` in place of `b`.
    private static func substitute(_ lower: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ n: Int) {
        for i in 0..<n {
            var value = b[i]
            for k in 0..<i { value -= lower[i * n + k] * b[k] }
            b[i] = value / lower[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var value = b[i]
            for k in (i + 1)..<max(i + 1, n) { value -= lower[k * n + i] * b[k] }
            b[i] = value / lower[i * n + i]
        }
    }
}
