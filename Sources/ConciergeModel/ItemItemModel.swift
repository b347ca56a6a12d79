/// Recommends from item neighbour lists, as implicit's `ItemItemRecommender`:
/// `score(i) = Σ_{j ∈ history} r_uj · sim(j, i)`. Only items that are a neighbour of something
/// the guest ordered get a score, so a list can be shorter than `k`.
public struct ItemItemModel: Sendable {
    /// Rows = items, one neighbour list each (e.g. from `ItemSimilarity`).
    public let similarity: SparseMatrix

    public init(similarity: SparseMatrix) {
        precondition(similarity.rows == similarity.columns, "a similarity matrix is items × items")
        self.similarity = similarity
    }

    /// The best `k` items in `candidates` for a guest whose history is `history`
    /// (item, units ordered), best first; ties go to the lower index. Items in the history are
    /// left out unless `excludeHistory` is false (room service guests do reorder).
    public func recommend(
        history: [(item: Int, value: Float)], k: Int, candidates: Range<Int>? = nil, excludeHistory: Bool = true
    ) -> [Recommendation] {
        let candidates = candidates ?? 0..<similarity.columns
        // Double sums, as implicit accumulates in double.
        var sums = [Double](repeating: 0, count: candidates.count)
        var scores = [Float](repeating: .nan, count: candidates.count)
        for (item, value) in history {
            for index in similarity.rowRange(item) {
                let other = Int(similarity.columnIndices[index])
                guard candidates.contains(other) else { continue }
                let slot = other - candidates.lowerBound
                sums[slot] += Double(value) * Double(similarity.values[index])
                scores[slot] = 0
            }
        }
        for slot in scores.indices where !scores[slot].isNaN { scores[slot] = Float(sums[slot]) }
        let excluded = excludeHistory ? history.map { Int32($0.item) }.sorted() : []
        var ids: [Int32] = []
        var best: [Float] = []
        let count = scores.withUnsafeBufferPointer {
            TopK.select(
                scores: $0, k: k, firstIndex: candidates.lowerBound, excluding: excluded, indices: &ids, scores: &best)
        }
        return (0..<count).map { Recommendation(item: Int(ids[$0]), score: best[$0]) }
    }

    /// `recommend(history:…)` for row `user` of a guests × items matrix.
    public func recommend(
        user: Int, userItems: SparseMatrix, k: Int, candidates: Range<Int>? = nil, excludeHistory: Bool = true
    ) -> [Recommendation] {
        let history = userItems.rowRange(user).map {
            (item: Int(userItems.columnIndices[$0]), value: userItems.values[$0])
        }
        return recommend(history: history, k: k, candidates: candidates, excludeHistory: excludeHistory)
    }

    /// The first `k` neighbours of `item`, as stored (most similar first).
    public func similarItems(item: Int, k: Int) -> [Recommendation] {
        similarity.rowRange(item).prefix(max(0, k)).map {
            Recommendation(item: Int(similarity.columnIndices[$0]), score: similarity.values[$0])
        }
    }
}
