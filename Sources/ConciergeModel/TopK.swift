/// Selects the `k` best (index, score) pairs of a score buffer in one pass: the best seen so far are kept sorted,
/// best first, as 64-bit keys (score, then position) in scratch memory, on the stack for small `k`, and written
/// out as indices and scores at the end.
///
/// Once `k` are kept, a score costs one comparison with the worst kept, and most scores of a large block stop
/// there; one that passes is inserted by moving the smaller keys down, O(k), at one comparison and one move a
/// place. Small blocks insert often: ALS scores of a hotel's 80 items and k = 10 make about 34 insertions of
/// 4 places each, which is most of the cost. (Scores that rise with the index make every insertion move all `k`.)
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
        // The kept entries as keys, best first, after a sentinel that no key passes.
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: k + 1) { buffer in
            guard let sentinel = buffer.baseAddress else { return 0 }
            sentinel.pointee = .max
            let keys = sentinel + 1
            var size = 0
            var nextExcluded = 0
            var offset = 0
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
                // Until k are kept, any score but NaN is.
                while position < stop && size < k {
                    let score = all[position]
                    if !score.isNaN {
                        insert(key(score, position: position), into: keys, last: size)
                        size += 1
                    }
                    position += 1
                }
                if size == k {
                    // Equal to the worst kept means a higher index than it: not better. NaN fails too.
                    var worst = all[Self.position(of: keys[k - 1])]
                    while position < stop {
                        let score = all[position]
                        if score > worst {
                            insert(key(score, position: position), into: keys, last: k - 1)
                            worst = all[Self.position(of: keys[k - 1])]
                        }
                        position += 1
                    }
                }
                offset = stop + 1
            }
            for rank in 0..<size {
                // The score is read back from the block, so that it keeps its bits (-0.0 among them).
                let position = Self.position(of: keys[rank])
                ids[rank] = Int32(firstIndex + position)
                values[rank] = all[position]
            }
            return size
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

    /// A key that orders as (score, then lower position) does: the score's bits, made to order as unsigned
    /// integers, above the position's complement. -0.0 becomes 0.0 first, as the two are equal scores.
    /// One comparison and one move of a key do the work of two of each on (score, index) pairs.
    @inline(__always)
    private static func key(_ score: Float, position: Int) -> UInt64 {
        let bits = (score + 0).bitPattern
        let ordered = bits ^ (UInt32(bitPattern: Int32(bitPattern: bits) &>> 31) | 0x8000_0000)
        return UInt64(ordered) &<< 32 | UInt64(~UInt32(truncatingIfNeeded: position))
    }

    /// The position a key was made from.
    @inline(__always)
    private static func position(of key: UInt64) -> Int { Int(~UInt32(truncatingIfNeeded: key)) }

    /// Puts `key` into the descending `keys[0...last]`, whose entry at `last` is dropped: it moves each smaller
    /// key one place down. `keys[-1]` is a sentinel greater than any key, so the walk needs no bounds check.
    @inline(__always)
    private static func insert(_ key: UInt64, into keys: UnsafeMutablePointer<UInt64>, last: Int) {
        var slot = last
        while keys[slot &- 1] < key {
            keys[slot] = keys[slot &- 1]
            slot &-= 1
        }
        keys[slot] = key
    }
}
