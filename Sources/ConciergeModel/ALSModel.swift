/// A trained factorisation: scores are `xᵤ · yᵢ`.
public struct ALSModel: Sendable {
    public let userFactors: DenseMatrix
    public let itemFactors: DenseMatrix
    public let regularization: Float
    public let alpha: Float
    public let confidence: ImplicitALS.ConfidenceMode
    /// `YᵀY`, kept so that folding in a guest costs only their own items.
    public let itemGram: [Float]
    /// `‖yᵢ‖` for cosine similarity; zero for an item nobody ordered.
    public let itemNorms: [Float]

    public init(
        userFactors: DenseMatrix, itemFactors: DenseMatrix, regularization: Float, alpha: Float,
        confidence: ImplicitALS.ConfidenceMode
    ) {
        precondition(userFactors.columns == itemFactors.columns, "users and items need the same number of factors")
        self.userFactors = userFactors
        self.itemFactors = itemFactors
        self.regularization = regularization
        self.alpha = alpha
        self.confidence = confidence
        itemGram = itemFactors.gram(threads: 1)
        itemNorms = itemFactors.rowNorms()
    }

    public var factors: Int { itemFactors.columns }

    /// The best `k` items in `candidates` (one hotel's contiguous item range) for a trained user,
    /// leaving out `exclude` (in any order), best first; ties go to the lower item index.
    public func recommend(
        user: Int, k: Int, candidates: Range<Int>? = nil, exclude: [Int] = []
    ) -> [Recommendation] {
        precondition(userFactors.rows > user && user >= 0, "user \(user) is not in the model")
        let start = user * factors
        return userFactors.values.withUnsafeBufferPointer { users in
            recommend(
                userFactor: UnsafeBufferPointer(rebasing: users[start..<(start + factors)]), k: k,
                candidates: candidates, exclude: exclude)
        }
    }

    /// As `recommend(user:…)` for a factor vector, e.g. one from `recalculateUser`.
    public func recommend(
        userFactor: [Float], k: Int, candidates: Range<Int>? = nil, exclude: [Int] = []
    ) -> [Recommendation] {
        precondition(userFactor.count == factors)
        return userFactor.withUnsafeBufferPointer {
            recommend(userFactor: $0, k: k, candidates: candidates, exclude: exclude)
        }
    }

    private func recommend(
        userFactor: UnsafeBufferPointer<Float>, k: Int, candidates: Range<Int>?, exclude: [Int]
    ) -> [Recommendation] {
        let candidates = candidates ?? 0..<itemFactors.rows
        precondition(candidates.lowerBound >= 0 && candidates.upperBound <= itemFactors.rows)
        let excluded = exclude.map(Int32.init).sorted()
        let count = min(k, candidates.count)
        guard count > 0 else { return [] }
        var ids = [Int32](repeating: 0, count: count)
        var scores = [Float](repeating: 0, count: count)
        var scratch = [Float](repeating: 0, count: candidates.count)
        let found = itemFactors.values.withUnsafeBufferPointer { items in
            let block = UnsafeBufferPointer(
                rebasing: items[(candidates.lowerBound * factors)..<(candidates.upperBound * factors)])
            return ScoringKernel.topK(
                query: userFactor, rows: block, dimension: factors, k: count, firstRow: candidates.lowerBound,
                excluding: excluded, scratch: &scratch, indices: &ids, scores: &scores)
        }
        return (0..<found).map { Recommendation(item: Int(ids[$0]), score: scores[$0]) }
    }

    /// Folds in a guest who is not in the model (or whose orders changed) without retraining:
    /// the exact least-squares factor against the fixed item factors, as implicit's
    /// `recalculate_user`. `items` holds (item, value) with values as in the training matrix
    /// (units ordered); the model's confidence mode and alpha turn them into confidences.
    public func recalculateUser(items: [(item: Int, value: Float)]) -> [Float] {
        let n = factors
        // Double precision: the system is formed and factorised once per call, and cancellation
        // in Float would show as a visible difference from the trained factors.
        var system = itemGram.map(Double.init)
        var rhs = [Double](repeating: 0, count: n)
        for diagonal in 0..<n { system[diagonal * n + diagonal] += Double(regularization) }
        for (item, value) in items {
            precondition(item >= 0 && item < itemFactors.rows, "item \(item) is not in the model")
            let confidence = Double(self.confidence.confidence(abs(value), alpha: alpha))
            let row = itemFactors.row(item).map(Double.init)
            if value > 0 {
                for a in 0..<n { rhs[a] += confidence * row[a] }
            }
            let excess = confidence - 1
            if excess != 0 {
                for a in 0..<n {
                    let scaled = excess * row[a]
                    for b in a..<n { system[a * n + b] += scaled * row[b] }
                }
            }
        }
        for a in 0..<n {
            for b in 0..<a { system[a * n + b] = system[b * n + a] }
        }
        guard let solution = Cholesky.solve(system, rhs, size: n) else {
            // Only without regularisation can the system be singular; no items, no preference.
            return [Float](repeating: 0, count: n)
        }
        return solution.map(Float.init)
    }

    /// The `k` items most similar to `item` by cosine of factor vectors, among `candidates`
    /// (default: the whole catalogue), the item itself left out.
    public func similarItems(item: Int, k: Int, candidates: Range<Int>? = nil) -> [Recommendation] {
        let candidates = candidates ?? 0..<itemFactors.rows
        precondition(item >= 0 && item < itemFactors.rows)
        let norm = itemNorms[item]
        guard norm > 0 else { return [] }
        let scores = itemFactors.values.withUnsafeBufferPointer { items in
            let query = UnsafeBufferPointer(rebasing: items[(item * factors)..<((item + 1) * factors)])
            var scores = [Float](repeating: 0, count: candidates.count)
            let block = UnsafeBufferPointer(
                rebasing: items[(candidates.lowerBound * factors)..<(candidates.upperBound * factors)])
            scores.withUnsafeMutableBufferPointer {
                ScoringKernel.scores(query: query, rows: block, dimension: factors, into: $0)
            }
            return scores
        }
        var cosines = scores
        for (offset, candidate) in candidates.enumerated() {
            let other = itemNorms[candidate]
            cosines[offset] = other > 0 ? scores[offset] / (norm * other) : -.infinity
        }
        let count = min(k, candidates.count)
        guard count > 0 else { return [] }
        var ids = [Int32](repeating: 0, count: count)
        var best = [Float](repeating: 0, count: count)
        let excluded: [Int32] = candidates.contains(item) ? [Int32(item)] : []
        let found = cosines.withUnsafeBufferPointer {
            TopK.select(
                scores: $0, k: count, firstIndex: candidates.lowerBound, excluding: excluded, indices: &ids,
                scores: &best)
        }
        return (0..<found).compactMap {
            best[$0] == -.infinity ? nil : Recommendation(item: Int(ids[$0]), score: best[$0])
        }
    }
}
