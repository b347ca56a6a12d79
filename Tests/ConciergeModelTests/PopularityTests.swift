import ConciergeModel
import Testing

@Suite struct PopularityTests {
    // Guests 0–2; item 1 is ordered by three guests once, item 0 by one guest ten times.
    static let matrix = SparseMatrix(
        rows: 3, columns: 6,
        triples: [(0, 0, 10), (0, 1, 1), (1, 1, 1), (2, 1, 1), (1, 2, 2), (2, 2, 1), (1, 4, 3), (2, 5, 1)])

    @Test func distinctGuestsPerBlock() {
        let popularity = Popularity(userItems: Self.matrix, blocks: [0..<3, 3..<6])
        #expect(popularity.scores.rows == 2)
        let first = popularity.scores.rowRange(0)
        #expect(popularity.scores.columnIndices[first] == [1, 2, 0])
        #expect(popularity.scores.values[first] == [3, 2, 1])
        // Items 4 and 5 tie on guests; item 4 has more units.
        #expect(popularity.scores.columnIndices[popularity.scores.rowRange(1)] == [4, 5])
    }

    @Test func totalUnits() {
        let popularity = Popularity(userItems: Self.matrix, measure: .totalUnits)
        let row = popularity.scores.rowRange(0)
        // Items 1, 2 and 4 tie on units; more guests first.
        #expect(popularity.scores.columnIndices[row] == [0, 1, 2, 4, 5])
        #expect(popularity.scores.values[row] == [10, 3, 3, 3, 1])
    }
}
