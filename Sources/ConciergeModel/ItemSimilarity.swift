/// Item-to-item neighbour lists: for every item, its `neighbours` most similar items within the
/// same block (one hotel's contiguous item range; a guest only sees one hotel's menu), by
/// cosine similarity. Rows of the result are items, columns are items, values are cosines,
/// and each row is sorted by descending similarity (ties: lower item first), which is the
/// order the server serves them in.
///
/// The item itself is left out unless `includeSelf` is set. implicit's `CosineRecommender`
/// keeps it (its similarity is 1, so it takes one of the K slots); pass `includeSelf: true` and
/// one more neighbour to reproduce its lists.
public enum ItemSimilarity {
    /// Cosine between item columns of the interaction matrix:
    /// `Σᵤ rᵤᵢ rᵤⱼ / (‖r·ᵢ‖ ‖r·ⱼ‖)`. Only items that share at least one guest are neighbours.
    /// Each row of `userItems` must list its items in increasing order, as
    /// `SparseMatrix(rows:columns:entries:)` and `transposed()` produce them.
    public static func cosine(
        userItems: SparseMatrix, blocks: [Range<Int>]? = nil, neighbours: Int, includeSelf: Bool = false,
        threads: Int = 2
    ) -> SparseMatrix {
        let items = userItems.columns
        let blockOf = blockIndex(items: items, blocks: blocks)
        let blocks = blocks ?? [0..<items]
        let itemUsers = userItems.transposed()
        // Normalise each item column once, as implicit does, so sums of products are cosines.
        var norms = [Double](repeating: 0, count: items)
        for item in 0..<items {
            var sum = 0.0
            for index in itemUsers.rowRange(item) {
                sum += Double(itemUsers.values[index]) * Double(itemUsers.values[index])
            }
            norms[item] = sum.squareRoot()
        }
        let userWeights = (0..<userItems.nonZeroCount).map { index in
            let norm = norms[Int(userItems.columnIndices[index])]
            return norm > 0 ? Double(userItems.values[index]) / norm : 0
        }
        var itemUserWeights = [Double](repeating: 0, count: itemUsers.nonZeroCount)
        for item in 0..<items where norms[item] > 0 {
            for index in itemUsers.rowRange(item) {
                itemUserWeights[index] = Double(itemUsers.values[index]) / norms[item]
            }
        }
        let largestBlock = blocks.map(\.count).max() ?? 0
        return userItems.columnIndices.withUnsafeBufferPointer { columns in
            userWeights.withUnsafeBufferPointer { userWeights in
                collect(items: items, neighbours: neighbours, threads: threads) { itemRange, emit in
                    let sums = UnsafeMutableBufferPointer<Double>.allocate(capacity: largestBlock)
                    let scores = UnsafeMutableBufferPointer<Float>.allocate(capacity: largestBlock)
                    defer {
                        sums.deallocate()
                        scores.deallocate()
                    }
                    sums.initialize(repeating: 0)
                    // NaN marks "shares no guest": TopK skips those, so only real neighbours are kept.
                    scores.initialize(repeating: .nan)
                    var touched: [Int] = []
                    for item in itemRange {
                        guard let block = blockOf[item].map({ blocks[$0] }) else { continue }
                        for index in itemUsers.rowRange(item) {
                            let user = Int(itemUsers.columnIndices[index])
                            let weight = itemUserWeights[index]
                            let row = userItems.rowRange(user)
                            // Rows are sorted by item, so the block is one run of each guest's row.
                            var position = lowerBound(columns, row, Int32(block.lowerBound))
                            while position < row.upperBound {
                                let slot = Int(columns[position]) &- block.lowerBound
                                if slot >= block.count { break }
                                if scores[slot].isNaN {
                                    scores[slot] = 0
                                    touched.append(slot)
                                }
                                sums[slot] += weight * userWeights[position]
                                position &+= 1
                            }
                        }
                        for slot in touched { scores[slot] = Float(sums[slot]) }
                        emit(
                            item, UnsafeBufferPointer(rebasing: scores[0..<block.count]), block.lowerBound, includeSelf)
                        for slot in touched {
                            scores[slot] = .nan
                            sums[slot] = 0
                        }
                        touched.removeAll(keepingCapacity: true)
                    }
                }
            }
        }
    }

    /// Cosine between rows of ALS item factors. Items whose factors are zero (nobody ordered
    /// them) have no neighbours and are nobody's neighbour.
    public static func cosine(
        itemFactors: DenseMatrix, blocks: [Range<Int>]? = nil, neighbours: Int, includeSelf: Bool = false,
        threads: Int = 2
    ) -> SparseMatrix {
        let items = itemFactors.rows
        let dimension = itemFactors.columns
        let blockOf = blockIndex(items: items, blocks: blocks)
        let blocks = blocks ?? [0..<items]
        let norms = itemFactors.rowNorms()
        var unit = itemFactors.values
        for item in 0..<items where norms[item] > 0 {
            for column in 0..<dimension { unit[item * dimension + column] /= norms[item] }
        }
        let largestBlock = blocks.map(\.count).max() ?? 0
        return unit.withUnsafeBufferPointer { unit in
            collect(items: items, neighbours: neighbours, threads: threads) { itemRange, emit in
                var scores = [Float](repeating: 0, count: largestBlock)
                for item in itemRange {
                    guard let block = blockOf[item].map({ blocks[$0] }), norms[item] > 0 else { continue }
                    let query = UnsafeBufferPointer(rebasing: unit[(item * dimension)..<((item + 1) * dimension)])
                    let rows = UnsafeBufferPointer(
                        rebasing: unit[(block.lowerBound * dimension)..<(block.upperBound * dimension)])
                    scores.withUnsafeMutableBufferPointer {
                        ScoringKernel.scores(query: query, rows: rows, dimension: dimension, into: $0)
                    }
                    for other in block where norms[other] == 0 { scores[other - block.lowerBound] = .nan }
                    scores.withUnsafeBufferPointer {
                        emit(item, UnsafeBufferPointer(rebasing: $0[0..<block.count]), block.lowerBound, includeSelf)
                    }
                }
            }
        }
    }

    /// For each item, the index of its block in `blocks`, or nil if it is in none.
    static func blockIndex(items: Int, blocks: [Range<Int>]?) -> [Int?] {
        guard let blocks else { return [Int?](repeating: 0, count: items) }
        var result = [Int?](repeating: nil, count: items)
        for (index, block) in blocks.enumerated() {
            precondition(block.lowerBound >= 0 && block.upperBound <= items, "block \(block) is outside the catalogue")
            for item in block {
                precondition(result[item] == nil, "item \(item) is in two blocks")
                result[item] = index
            }
        }
        return result
    }

    /// The first position in `range` of the sorted `indices` whose value is at least `value`.
    static func lowerBound(_ indices: UnsafeBufferPointer<Int32>, _ range: Range<Int>, _ value: Int32) -> Int {
        var low = range.lowerBound, high = range.upperBound
        while low < high {
            let middle = (low + high) / 2
            if indices[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Runs `fill` over chunks of items on `threads` threads; `fill` hands each item's block of
    /// scores (NaN = not a neighbour) to `emit`, which keeps its top `neighbours`. The lists are
    /// stitched into a CSR matrix in item order.
    static func collect(
        items: Int, neighbours: Int, threads: Int,
        _ fill: (
            _ items: Range<Int>,
            _ emit: (_ item: Int, _ scores: UnsafeBufferPointer<Float>, _ firstIndex: Int, _ includeSelf: Bool) -> Void
        ) -> Void
    ) -> SparseMatrix {
        let width = max(0, neighbours)
        var ids = [Int32](repeating: 0, count: items * width)
        var values = [Float](repeating: 0, count: items * width)
        var counts = [Int](repeating: 0, count: items)
        ids.withUnsafeMutableBufferPointer { ids in
            values.withUnsafeMutableBufferPointer { values in
                counts.withUnsafeMutableBufferPointer { counts in
                    guard width > 0 else { return }
                    let ids = ids.baseAddress!, values = values.baseAddress!, counts = counts.baseAddress!
                    ParallelLoop.forEachChunk(count: items, chunkSize: 16, threads: threads) { chunk in
                        fill(chunk) { item, scores, firstIndex, includeSelf in
                            withUnsafePointer(to: Int32(item)) { selfIndex in
                                counts[item] = TopK.select(
                                    scores: scores, k: width, firstIndex: firstIndex,
                                    excluding: UnsafeBufferPointer(start: selfIndex, count: includeSelf ? 0 : 1),
                                    indices: UnsafeMutableBufferPointer(start: ids + item * width, count: width),
                                    scores: UnsafeMutableBufferPointer(start: values + item * width, count: width))
                            }
                        }
                    }
                }
            }
        }
        var offsets = [0]
        offsets.reserveCapacity(items + 1)
        var columns: [Int32] = []
        var similarities: [Float] = []
        for item in 0..<items {
            columns.append(contentsOf: ids[(item * width)..<(item * width + counts[item])])
            similarities.append(contentsOf: values[(item * width)..<(item * width + counts[item])])
            offsets.append(columns.count)
        }
        return SparseMatrix(
            rows: items, columns: items, rowOffsets: offsets, columnIndices: columns, values: similarities)
    }
}
