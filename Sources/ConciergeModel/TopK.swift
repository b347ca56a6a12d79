/// Selects the `k` best (index, score) pairs of a score buffer with a bounded heap, in
/// O(n log k) time and no allocation: the heap lives in the caller's output buffers.
///
/// Higher scores are better; equal scores go to the lower index, so results do not depend on
/// the heap's internal order. NaN scores are never selected.
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
        guard k > 0, let ids = indices.baseAddress, let values = bestScores.baseAddress else { return 0 }
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
            for position in offset..<stop {
                let score = scores[position]
                if size == k {
                    // Equal to the worst kept means a higher index than it: not better. NaN fails too.
                    if score > values[0] {
                        ids[0] = Int32(firstIndex &+ position)
                        values[0] = score
                        siftDown(ids, values, 0, size)
                    }
                } else if !score.isNaN {
                    ids[size] = Int32(firstIndex &+ position)
                    values[size] = score
                    siftUp(ids, values, size)
                    size += 1
                }
            }
            offset = stop + 1
        }
        // Heap sort: moving the worst to the back, one by one, leaves the best at the front.
        var end = size
        while end > 1 {
            end -= 1
            swapAt(ids, values, 0, end)
            siftDown(ids, values, 0, end)
        }
        return size
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

    /// `a` ranks below `b`: a lower score, or the same score and a higher index.
    @inline(__always)
    static func worse(_ scoreA: Float, _ indexA: Int32, _ scoreB: Float, _ indexB: Int32) -> Bool {
        scoreA < scoreB || (scoreA == scoreB && indexA > indexB)
    }

    @inline(__always)
    private static func swapAt(
        _ ids: UnsafeMutablePointer<Int32>, _ values: UnsafeMutablePointer<Float>, _ a: Int, _ b: Int
    ) {
        let id = ids[a]
        ids[a] = ids[b]
        ids[b] = id
        let value = values[a]
        values[a] = values[b]
        values[b] = value
    }

    /// The heap keeps the worst kept entry at the root.
    private static func siftUp(_ ids: UnsafeMutablePointer<Int32>, _ values: UnsafeMutablePointer<Float>, _ start: Int)
    {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard worse(values[child], ids[child], values[parent], ids[parent]) else { return }
            swapAt(ids, values, child, parent)
            child = parent
        }
    }

    private static func siftDown(
        _ ids: UnsafeMutablePointer<Int32>, _ values: UnsafeMutablePointer<Float>, _ start: Int, _ size: Int
    ) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            if left >= size { return }
            var child = left
            let right = left + 1
            if right < size && worse(values[right], ids[right], values[left], ids[left]) { child = right }
            guard worse(values[child], ids[child], values[parent], ids[parent]) else { return }
            swapAt(ids, values, child, parent)
            parent = child
        }
    }
}
