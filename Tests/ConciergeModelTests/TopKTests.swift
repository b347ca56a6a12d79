import ConciergeModel
import Testing

@Suite struct TopKTests {
    /// The definition: sort everything eligible by score descending, then index ascending.
    static func reference(
        _ scores: [Float], k: Int, firstIndex: Int, excluding: Set<Int>
    ) -> [(index: Int, score: Float)] {
        var eligible: [(index: Int, score: Float)] = []
        for (offset, score) in scores.enumerated() where !excluding.contains(firstIndex + offset) && !score.isNaN {
            eligible.append((firstIndex + offset, score))
        }
        eligible.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        return Array(eligible.prefix(max(0, k)))
    }

    @Test(arguments: [0, 1, 3, 10, 64, 200])
    func matchesFullSort(k: Int) {
        var generator = SplitMix64(seed: UInt64(k) + 1)
        var indices: [Int32] = []
        var best: [Float] = []
        for trial in 0..<40 {
            let count = Int(generator.next(upperBound: UInt64(150)))
            // Few distinct values, so ties are everywhere; a NaN now and then.
            var scores: [Float] = (0..<count).map { _ in Float(generator.next(upperBound: UInt64(7))) - 3 }
            if count > 0 && trial % 5 == 0 { scores[Int(generator.next(upperBound: UInt64(count)))] = Float.nan }
            let firstIndex = Int(generator.next(upperBound: UInt64(1000)))
            var excluded = Set<Int>()
            for _ in 0..<Int(generator.next(upperBound: UInt64(30))) {
                excluded.insert(firstIndex + Int(generator.next(upperBound: UInt64(count + 5))) - 2)
            }
            let found = scores.withUnsafeBufferPointer {
                TopK.select(
                    scores: $0, k: k, firstIndex: firstIndex, excluding: excluded.map(Int32.init).sorted(),
                    indices: &indices, scores: &best)
            }
            let expected = Self.reference(scores, k: k, firstIndex: firstIndex, excluding: excluded)
            #expect(found == expected.count)
            #expect(indices.prefix(found).map(Int.init) == expected.map(\.index))
            #expect(Array(best.prefix(found)) == expected.map(\.score))
        }
    }

    /// Without an exclusion list `select` first bounds the k-th best from the maxima of k groups of eight, which must
    /// never drop an eligible score: long blocks, ties, runs of NaN (a whole group's), rising and falling orders.
    @Test(arguments: [1, 3, 10, 16, 100])
    func boundFromGroupsKeepsTheBest(k: Int) {
        var generator = SplitMix64(seed: UInt64(k) + 100)
        var indices: [Int32] = []
        var best: [Float] = []
        for trial in 0..<60 {
            let count = 8 * k + Int(generator.next(upperBound: UInt64(1_200)))
            var scores: [Float] = (0..<count).map { _ in Float(generator.next(upperBound: UInt64(50))) / 7 }
            switch trial % 6 {
            case 1: scores.sort()
            case 2: scores.sort(by: >)
            case 3:
                for position in 0..<min(count, 8 + Int(generator.next(upperBound: UInt64(40)))) {
                    scores[position] = .nan
                }
            case 4:
                for _ in 0..<(count / 3) { scores[Int(generator.next(upperBound: UInt64(count)))] = .nan }
            default: break
            }
            let found = scores.withUnsafeBufferPointer {
                TopK.select(scores: $0, k: k, firstIndex: 5, indices: &indices, scores: &best)
            }
            let expected = Self.reference(scores, k: k, firstIndex: 5, excluding: [])
            #expect(found == expected.count)
            #expect(indices.prefix(found).map(Int.init) == expected.map(\.index), "trial \(trial), \(count) scores")
            #expect(Array(best.prefix(found)) == expected.map(\.score))
        }
    }

    /// Blocks of up to 256 scores go through a tournament and longer ones through the sorted list: both sides of the
    /// step, every k up to more than the block, ties, −∞ left alone in a group, NaN and exclusions.
    @Test(arguments: [1, 10, 100, 300])
    func bothMethodsAroundTheTournamentsLimitMatchFullSort(k: Int) {
        let values: [Float] = [-.infinity, -.infinity, .nan, 1, 2, 2, -0.0, 0.0, .infinity]
        var generator = SplitMix64(seed: UInt64(k) + 900)
        var indices: [Int32] = []
        var best: [Float] = []
        for count in 244...268 {
            let scores = (0..<count).map { _ in values[Int(generator.next(upperBound: UInt64(values.count)))] }
            var excluded = Set<Int>()
            for _ in 0..<Int(generator.next(upperBound: UInt64(60))) {
                excluded.insert(7 + Int(generator.next(upperBound: UInt64(count))))
            }
            let found = scores.withUnsafeBufferPointer {
                TopK.select(
                    scores: $0, k: k, firstIndex: 7, excluding: excluded.map(Int32.init).sorted(), indices: &indices,
                    scores: &best)
            }
            let expected = Self.reference(scores, k: k, firstIndex: 7, excluding: excluded)
            #expect(found == expected.count)
            #expect(indices.prefix(found).map(Int.init) == expected.map(\.index), "\(count) scores")
            #expect(best.prefix(found).map(\.bitPattern) == expected.map(\.score.bitPattern))
        }
    }

    @Test func kLargerThanCountReturnsEverythingSorted() {
        let scores: [Float] = [0.5, 2, -1, 2, 0.5]
        var indices = [Int32](repeating: 0, count: 9)
        var best = [Float](repeating: 0, count: 9)
        let found = scores.withUnsafeBufferPointer { scores in
            indices.withUnsafeMutableBufferPointer { indices in
                best.withUnsafeMutableBufferPointer { best in
                    TopK.select(scores: scores, k: 9, indices: indices, scores: best)
                }
            }
        }
        #expect(found == 5)
        #expect(indices.prefix(5) == [1, 3, 0, 4, 2])
        #expect(best.prefix(5) == [2, 2, 0.5, 0.5, -1])
    }

    /// The keys `select` orders by: −0 and +0 tie (by index), infinities order as numbers, negative scores by
    /// magnitude, subnormals above zero; with and without the bound, at every length around the eight-score step.
    @Test(arguments: [1, 2, 5, 10])
    func ordersSignedZerosInfinitiesAndSubnormalsAsNumbers(k: Int) {
        let values: [Float] = [
            -0.0, 0.0, .infinity, -.infinity, -1, 1, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .nan, 0.5, -0.5,
        ]
        var generator = SplitMix64(seed: UInt64(k) + 500)
        var indices: [Int32] = []
        var best: [Float] = []
        for count in 0...(8 * k + 20) {
            let scores = (0..<count).map { _ in values[Int(generator.next(upperBound: UInt64(values.count)))] }
            let found = scores.withUnsafeBufferPointer {
                TopK.select(scores: $0, k: k, firstIndex: 3, indices: &indices, scores: &best)
            }
            let expected = Self.reference(scores, k: k, firstIndex: 3, excluding: [])
            #expect(found == expected.count)
            #expect(indices.prefix(found).map(Int.init) == expected.map(\.index), "\(scores)")
            #expect(best.prefix(found).map(\.bitPattern) == expected.map(\.score.bitPattern))
        }
    }
}
