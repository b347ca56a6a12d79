/// Selects the `k` best (index, score) pairs of a score buffer in one pass and no allocation: the best seen so
/// far are kept sorted, best first, in the caller's output buffers.
///
/// Once `k` are kept, a score costs one comparison with the worst kept, and most scores of a large block stop
/// there; one that passes is inserted by shifting the worse ones down, O(k). (Scores that rise with the index
/// make every insertion shift all `k`; scores are dot products and sums, in no such order.)
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
        // Checked once here, so that an insertion converts its index without a check of its own.
        precondition(firstIndex >= 0 && firstIndex + scores.count <= Int(Int32.max), "indices fit in Int32")
        let base = Int32(truncatingIfNeeded: firstIndex)
        var size = 0
        var nextExcluded = 0
        var offset = 0
        let floor = excluding.isEmpty ? lowerBound(all, count: scores.count, k: k) : -.infinity
        while offset < scores.count {
            // Scan up to the next excluded index without looking at the exclusion list.
            var stop = scores.count
            while nextExcluded < excluding.count {
                let excludedOffset = Int(excluding[nextExcluded]) - firstIndex
                if excludedOffset < offset {
                    nextExcluded += 1
                    continue
                }
                stop = min(excludedOffset, scores.count)
                break
            }
            var position = offset
            // Until k are kept, any score but NaN is, unless it is below the floor.
            while position < stop && size < k {
                let score = all[position]
                if score >= floor {
                    insert(score, index: base &+ Int32(truncatingIfNeeded: position), ids, values, last: size)
                    size += 1
                }
                position += 1
            }
            if size == k {
                // Equal to the worst kept means a higher index than it: not better. NaN fails too.
                var worst = values[k - 1]
                while position < stop {
                    let score = all[position]
                    if score > worst {
                        insert(score, index: base &+ Int32(truncatingIfNeeded: position), ids, values, last: k - 1)
                        worst = values[k - 1]
                    }
                    position += 1
                }
            }
            offset = stop + 1
        }
        return size
    }

    /// A score that at least `k` scores reach, so that a smaller one cannot be among the best `k`: the smallest of
    /// the maxima of `k` groups (each maximum is a score, and they are `k` different ones). Most scores under it are
    /// then passed over while the first `k` are kept, rather than inserted and pushed out again (on 80 scores and
    /// k = 10, 34 insertions became about 17). A group is the first eight scores of each of `k` stretches, so the
    /// bound costs the same on a menu of 80 items as on a catalogue of a million. NaN scores take no part; −∞ when
    /// the stretches are shorter than a group or a group has nothing but NaN.
    private static func lowerBound(_ scores: UnsafePointer<Float>, count: Int, k: Int) -> Float {
        let stretch = count / k
        guard stretch >= 8 else { return -.infinity }
        var floor = Float.infinity
        for group in 0..<k {
            floor = min(floor, maximum(scores + group * stretch))
        }
        return floor
    }

    /// The largest of the eight scores at `group` that is not NaN, −∞ if all are: `x > m ? x : m` is one `maxss`,
    /// which keeps `m` when `x` is NaN (`SIMD.max()` is a call of 40 instructions and passes a NaN on).
    @inline(__always)
    private static func maximum(_ group: UnsafePointer<Float>) -> Float {
        var largest = -Float.infinity
        for lane in 0..<8 {
            let score = group[lane]
            largest = score > largest ? score : largest
        }
        return largest
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

    /// Puts `score` into the sorted `values[0...last]`, whose entry at `last` is dropped: it moves each worse
    /// entry one place down. Entries of an equal score stay ahead, as they came earlier, with lower indices.
    @inline(__always)
    private static func insert(
        _ score: Float, index: Int32, _ ids: UnsafeMutablePointer<Int32>, _ values: UnsafeMutablePointer<Float>,
        last: Int
    ) {
        var slot = last
        while slot > 0 && values[slot - 1] < score {
            values[slot] = values[slot - 1]
            ids[slot] = ids[slot - 1]
            slot -= 1
        }
        values[slot] = score
        ids[slot] = index
    }
}
