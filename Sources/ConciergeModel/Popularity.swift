/// The most ordered items of each block (hotel): the cold-start fallback and the baseline that
/// every personalised model has to beat.
public struct Popularity: Sendable {
    /// What makes an item popular.
    public enum Measure: Sendable, Hashable {
        /// The number of distinct guests who ordered it (the default): one guest ordering twenty
        /// coffees during a long stay does not make coffee twenty times as popular for others.
        case distinctGuests
        /// The total number of units ordered.
        case totalUnits
    }

    /// Rows = blocks, columns = items, values = the measure; each row holds the block's items
    /// that anyone ordered, most popular first. Ties are broken by the other measure, then by
    /// the lower item index.
    public let scores: SparseMatrix
    public let blocks: [Range<Int>]
    public let measure: Measure

    public init(userItems: SparseMatrix, blocks: [Range<Int>]? = nil, measure: Measure = .distinctGuests) {
        let items = userItems.columns
        let blocks = blocks ?? [0..<items]
        var guests = [Float](repeating: 0, count: items)
        var units = [Float](repeating: 0, count: items)
        for index in 0..<userItems.nonZeroCount {
            let item = Int(userItems.columnIndices[index])
            let value = userItems.values[index]
            if value > 0 {
                guests[item] += 1
                units[item] += value
            }
        }
        let (primary, secondary) = measure == .distinctGuests ? (guests, units) : (units, guests)
        var offsets = [0]
        var columns: [Int32] = []
        var values: [Float] = []
        for block in blocks {
            precondition(block.lowerBound >= 0 && block.upperBound <= items, "block \(block) is outside the catalogue")
            let ranked = block.filter { primary[$0] > 0 }.sorted { a, b in
                if primary[a] != primary[b] { return primary[a] > primary[b] }
                if secondary[a] != secondary[b] { return secondary[a] > secondary[b] }
                return a < b
            }
            columns.append(contentsOf: ranked.map(Int32.init))
            values.append(contentsOf: ranked.map { primary[$0] })
            offsets.append(columns.count)
        }
        scores = SparseMatrix(
            rows: blocks.count, columns: items, rowOffsets: offsets, columnIndices: columns, values: values)
        self.blocks = blocks
        self.measure = measure
    }
}
