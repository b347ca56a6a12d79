import CScoringKernel

/// Selects the `k` best (index, score) pairs of a score buffer with no allocation, by the C function
/// `concierge_top_k`, in one of two ways.
///
/// A block of up to 256 scores (a hotel's menu, as a rule) is a tournament: its groups of sixteen keep their
/// maxima, and each pick takes the first group with the largest, the first of its scores equal to it, and takes
/// that group's maximum again: a few vector compares a pick, O(k · n / 16).
///
/// A longer block is read once, the best seen so far kept sorted, best first, as one 64-bit key each. Once `k` are
/// kept, eight scores at a time are compared with the worst kept, and most scores of a large block stop there; one
/// that passes is inserted by shifting the worse ones down, O(k). (Scores that rise with the index make every
/// insertion shift all `k`; scores are dot products and sums, in no such order.) Without an exclusion list, the
/// first `k` are kept only from a bound that at least `k` scores reach (the smallest of the maxima of `k` groups of
/// eight), so that most of them are not inserted only to be pushed out again.
///
/// Higher scores are better; equal scores go to the lower index. NaN scores are never selected.
public enum TopK {
    /// Writes the best `min(k, eligible)` entries of `scores`, best first, into `indices` and
    /// `bestScores` (each with room for `k`) and returns how many it wrote.
    ///
    /// - Parameters:
    ///   - firstIndex: the index of `scores[0]`, added to every reported index, so a block of a
    ///     larger catalogue reports catalogue indices.
    ///   - excluding: catalogue indices to leave out, sorted ascending (duplicates and indices
    ///     outside the block are allowed); a CSR row of the guest's history is already sorted.
    public static func select(
        scores: UnsafeBufferPointer<Float>, k: Int, firstIndex: Int = 0,
        excluding: UnsafeBufferPointer<Int32> = UnsafeBufferPointer(start: nil, count: 0),
        indices: UnsafeMutableBufferPointer<Int32>, scores bestScores: UnsafeMutableBufferPointer<Float>
    ) -> Int {
        let k = max(0, k)
        precondition(indices.count >= k && bestScores.count >= k, "output buffers need room for k entries")
        guard k > 0, let ids = indices.baseAddress, let values = bestScores.baseAddress,
            let all = scores.baseAddress
        else { return 0 }
        precondition(firstIndex >= 0 && firstIndex + scores.count <= Int(Int32.max), "indices fit in Int32")
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: k + 1) { keys in
            concierge_top_k(
                all, scores.count, k, Int32(firstIndex), excluding.baseAddress, excluding.count, keys.baseAddress!,
                ids, values)
        }
    }

    /// `select` on arrays; `indices` and `bestScores` are resized to at least `k` if needed,
    /// so a caller that reuses them allocates only once.
    @discardableResult
    public static func select(
        scores: UnsafeBufferPointer<Float>, k: Int, firstIndex: Int = 0, excluding: [Int32] = [],
        indices: inout [Int32], scores bestScores: inout [Float]
    ) -> Int {
        if indices.count < k { indices.append(contentsOf: repeatElement(0, count: k - indices.count)) }
        if bestScores.count < k { bestScores.append(contentsOf: repeatElement(0, count: k - bestScores.count)) }
        return excluding.withUnsafeBufferPointer { excluding in
            indices.withUnsafeMutableBufferPointer { indices in
                bestScores.withUnsafeMutableBufferPointer { bestScores in
                    select(
                        scores: scores, k: k, firstIndex: firstIndex, excluding: excluding, indices: indices,
                        scores: bestScores)
                }
            }
        }
    }
}
