/// Structural checks shared by `ModelArtifacts.validate()` (arrays in memory) and the loader (mapped
/// files), so a publish and an import refuse exactly the same models. Each returns the first problem
/// found, as a phrase the caller prefixes with the field or file it checked.
enum ModelChecks {
    /// `offsets` must start at 0, never decrease, and end at `total`.
    static func offsetsProblem<Offsets: RandomAccessCollection>(_ offsets: Offsets, total: Int) -> String?
    where Offsets.Element: BinaryInteger, Offsets.Index == Int {
        guard let first = offsets.first, first == 0 else { return "offsets must start at 0" }
        for index in 1..<offsets.count where offsets[index] < offsets[index - 1] {
            return "offsets decrease at row \(index - 1) (\(offsets[index - 1]) then \(offsets[index]))"
        }
        guard Int(offsets[offsets.count - 1]) == total else {
            return "offsets end at \(offsets[offsets.count - 1]), not at \(total)"
        }
        return nil
    }

    /// A CSR matrix: offsets as above, every column index in range, every value finite and, for
    /// ranked lists (neighbours, popularity), values non-increasing within each row.
    static func csrProblem<
        Offsets: RandomAccessCollection, Indices: RandomAccessCollection, Values: RandomAccessCollection
    >(
        rows: Int, columns: Int, offsets: Offsets, indices: Indices, values: Values, descending: Bool
    ) -> String?
    where
        Offsets.Element: BinaryInteger, Offsets.Index == Int, Indices.Element == Int32, Indices.Index == Int,
        Values.Element == Float, Values.Index == Int
    {
        guard offsets.count == rows + 1 else { return "\(offsets.count) offsets for \(rows) rows" }
        guard indices.count == values.count else {
            return "\(indices.count) column indices but \(values.count) values"
        }
        if let problem = offsetsProblem(offsets, total: values.count) { return problem }
        let columnLimit = Int32(clamping: columns)
        for row in 0..<rows {
            let range = Int(offsets[row])..<Int(offsets[row + 1])
            for index in range {
                let column = indices[index]
                guard column >= 0, column < columnLimit else {
                    return "row \(row) has column index \(column), outside 0..<\(columns)"
                }
                let value = values[index]
                guard value.isFinite else { return "row \(row) has a non-finite value (\(value)) at column \(column)" }
                if descending, index > range.lowerBound, value > values[index - 1] {
                    return "row \(row) is not sorted by descending value (\(values[index - 1]) then \(value))"
                }
            }
        }
        return nil
    }

    /// The first NaN or infinity of row-major factors, named by row and column.
    static func nonFiniteProblem(_ values: UnsafeBufferPointer<Float>, columns: Int) -> String? {
        // Non-finite floats are exactly those whose magnitude bits reach the all-ones exponent; an
        // integer max over the bit patterns vectorises, so the common all-finite case is one fast pass.
        var largest: UInt32 = 0
        for value in values { largest = max(largest, value.bitPattern & 0x7FFF_FFFF) }
        guard largest >= 0x7F80_0000, let index = values.firstIndex(where: { !$0.isFinite }) else { return nil }
        return "non-finite value \(values[index]) at row \(index / max(columns, 1)), column \(index % max(columns, 1))"
    }

    /// EASE's weights: one `n × n` block per hotel of `blockSizes` items, one after the other, all finite, with
    /// a zero diagonal (an item never recommends itself).
    static func easeWeightsProblem(_ weights: UnsafeBufferPointer<Float>, blockSizes: [Int]) -> String? {
        let expected = blockSizes.reduce(0) { $0 + $1 * $1 }
        guard weights.count == expected else {
            return "holds \(weights.count) weights, the hotels' blocks need \(expected) (Σ items²)"
        }
        if let problem = nonFiniteProblem(weights, columns: 1) { return "has a \(problem)" }
        var start = 0
        for (hotel, n) in blockSizes.enumerated() {
            for item in 0..<n where weights[start + item * n + item] != 0 {
                return "hotel \(hotel)'s block has \(weights[start + item * n + item]) on its diagonal at item "
                    + "\(item); EASE's diagonal is zero"
            }
            start += n * n
        }
        return nil
    }

    /// Ids and names are stored one per line, so they cannot hold line breaks.
    static func lineProblem(_ text: String) -> String? {
        text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) ? "contains a line break" : nil
    }
}
