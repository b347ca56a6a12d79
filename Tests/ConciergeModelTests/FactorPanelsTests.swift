import ConciergeModel
import Testing

@Suite struct FactorPanelsTests {
    /// Every run of items of a 45-item catalogue (whole panels, partial ones at either end, runs inside one
    /// panel, the padded last panel), against dot products in Double, for the unrolled dimensions and others; the
    /// scores around the run stay untouched.
    @Test(arguments: [1, 5, 8, 13, 16, 24, 32, 40, 48, 64])
    func scoresMatchDotProductsForEveryRunOfItems(dimension: Int) {
        var generator = SplitMix64(seed: UInt64(3000 + dimension))
        let itemCount = 45
        let rows = generator.floats(itemCount * dimension)
        let query = generator.floats(dimension)
        let panels = rows.withUnsafeBufferPointer { FactorPanels(rows: $0, dimension: dimension, threads: 2) }
        #expect(panels.itemCount == itemCount && panels.dimension == dimension)
        for first in 0..<itemCount {
            for end in (first + 1)...itemCount {
                let items = first..<end
                // One sentinel score on each side of the run.
                var output = [Float](repeating: 7, count: items.count + 2)
                query.withUnsafeBufferPointer { query in
                    output.withUnsafeMutableBufferPointer { output in
                        panels.scores(
                            query: query, items: items,
                            into: UnsafeMutableBufferPointer(rebasing: output[1..<(items.count + 1)]))
                    }
                }
                #expect(output.first == 7 && output.last == 7, "\(items) wrote outside its scores")
                for item in items {
                    var expected = 0.0
                    for factor in 0..<dimension {
                        expected += Double(query[factor]) * Double(rows[item * dimension + factor])
                    }
                    let score = Double(output[item - first + 1])
                    #expect(abs(score - expected) < 1e-5 * Double(dimension), "item \(item) of \(items)")
                }
            }
        }
    }

    /// More items than one thread's chunk of panels, and a dimension with a tail past the last eight factors.
    @Test func panelsOfManyItemsAreBuiltInChunksOnEveryThread() {
        var generator = SplitMix64(seed: 77)
        let dimension = 11
        let itemCount = 70_001
        let rows = generator.floats(itemCount * dimension)
        let query = generator.floats(dimension)
        let panels = rows.withUnsafeBufferPointer { FactorPanels(rows: $0, dimension: dimension, threads: 2) }
        var output = [Float](repeating: .nan, count: itemCount)
        query.withUnsafeBufferPointer { query in
            output.withUnsafeMutableBufferPointer { panels.scores(query: query, items: 0..<itemCount, into: $0) }
        }
        for item in stride(from: 0, to: itemCount, by: 997) + [itemCount - 1] {
            var expected = 0.0
            for factor in 0..<dimension {
                expected += Double(query[factor]) * Double(rows[item * dimension + factor])
            }
            #expect(abs(Double(output[item]) - expected) < 1e-4, "item \(item)")
        }
    }

    @Test func noItemsMakeNoPanelsAndScoreNothing() {
        let panels = [Float]().withUnsafeBufferPointer { FactorPanels(rows: $0, dimension: 4, threads: 2) }
        #expect(panels.itemCount == 0)
        var output: [Float] = [9]
        [Float](repeating: 1, count: 4).withUnsafeBufferPointer { query in
            output.withUnsafeMutableBufferPointer { panels.scores(query: query, items: 0..<0, into: $0) }
        }
        #expect(output == [9])
    }

    @Test func anEmptyRunWritesNothing() {
        let rows: [Float] = [1, 2, 3, 4]
        let panels = rows.withUnsafeBufferPointer { FactorPanels(rows: $0, dimension: 2, threads: 1) }
        var output: [Float] = [9]
        [Float(1), 1].withUnsafeBufferPointer { query in
            output.withUnsafeMutableBufferPointer { panels.scores(query: query, items: 1..<1, into: $0) }
        }
        #expect(output == [9])
    }
}
