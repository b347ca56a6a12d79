/// Solves a small symmetric positive-definite system `A x = b` (the `f × f` fold-in system)
/// by Cholesky factorisation, in `Double`.
enum Cholesky {
    /// `matrix` is `size × size` row-major and symmetric; returns nil if it is not positive definite.
    static func solve(_ matrix: [Double], _ rhs: [Double], size n: Int) -> [Double]? {
        var lower = matrix
        for j in 0..<n {
            var diagonal = lower[j * n + j]
            for k in 0..<j { diagonal -= lower[j * n + k] * lower[j * n + k] }
            guard diagonal > 0 else { return nil }
            let pivot = diagonal.squareRoot()
            lower[j * n + j] = pivot
            for i in (j + 1)..<max(j + 1, n) {
                var value = lower[i * n + j]
                for k in 0..<j { value -= lower[i * n + k] * lower[j * n + k] }
                lower[i * n + j] = value / pivot
            }
        }
        // L z = b, then Lᵀ x = z.
        var x = rhs
        for i in 0..<n {
            var value = x[i]
            for k in 0..<i { value -= lower[i * n + k] * x[k] }
            x[i] = value / lower[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var value = x[i]
            for k in (i + 1)..<max(i + 1, n) { value -= lower[k * n + i] * x[k] }
            x[i] = value / lower[i * n + i]
        }
        return x
    }
}
