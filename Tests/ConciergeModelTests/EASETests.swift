import ConciergeModel
import Testing

@Suite struct EASETests {
    /// Two guests, two items: X = [[1, 1], [1, 0]], so XᵀX + I = [[3, 1], [1, 2]] and P = [[2, −1], [−1, 3]] / 5;
    /// B₀₁ = −P₀₁ / P₁₁ = 1/3 and B₁₀ = −P₁₀ / P₀₀ = 1/2, worked out by hand.
    @Test func aTwoItemBlockByHand() {
        let x = SparseMatrix(rows: 2, columns: 2, triples: [(0, 0, 1), (0, 1, 1), (1, 0, 1)])
        let ease = EASE(userItems: x, blocks: [0..<2], configuration: .init(lambda: 1, input: .binary), threads: 1)
        let expected: [Float] = [0, 1.0 / 3, 0.5, 0]
        #expect(zip(ease.weights, expected).allSatisfy { abs($0 - $1) < 1e-6 } && ease.weights.count == 4)
    }

    /// B = I − P·diag(1/diag(P)) means (XᵀX + λI)·B = (XᵀX + λI) − diag(1/diag(P)): off the diagonal, multiplying
    /// by B changes nothing. Checked in Double against a Gram matrix built here, for both inputs, per block.
    @Test(arguments: EASE.Input.allCases)
    func bSatisfiesItsDefiningIdentity(input: EASE.Input) {
        let blocks = [0..<12, 12..<12, 12..<31]
        let x = Self.randomHistory(users: 60, items: 31, seed: 3)
        let lambda = 2.5
        let ease = EASE(userItems: x, blocks: blocks, configuration: .init(lambda: lambda, input: input), threads: 2)
        var start = 0
        for block in blocks {
            let n = block.count
            var gram = [Double](repeating: 0, count: n * n)
            for user in 0..<x.rows {
                let entries = x.rowRange(user).filter { block.contains(Int(x.columnIndices[$0])) }
                for a in entries {
                    for b in entries {
                        let i = Int(x.columnIndices[a]) - block.lowerBound
                        let j = Int(x.columnIndices[b]) - block.lowerBound
                        gram[i * n + j] += input == .binary ? 1 : Double(x.values[a]) * Double(x.values[b])
                    }
                }
            }
            for i in 0..<n { gram[i * n + i] += lambda }
            for i in 0..<n {
                #expect(ease.weights[start + i * n + i] == 0, "zero diagonal")
                for j in 0..<n where j != i {
                    let product = (0..<n).reduce(0.0) {
                        $0 + gram[i * n + $1] * Double(ease.weights[start + $1 * n + j])
                    }
                    #expect(abs(product - gram[i * n + j]) < 1e-4 * max(1, abs(gram[i * n + j])), "(\(i), \(j))")
                }
            }
            start += n * n
        }
        #expect(ease.weights.count == start)
    }

    @Test func threadsDoNotChangeTheResult() {
        let x = Self.randomHistory(users: 200, items: 90, seed: 5)
        let configuration = EASE.Configuration(lambda: 10, input: .units)
        let one = EASE(userItems: x, blocks: [0..<40, 40..<90], configuration: configuration, threads: 1)
        let two = EASE(userItems: x, blocks: [0..<40, 40..<90], configuration: configuration, threads: 2)
        #expect(one.weights == two.weights)
    }

    /// X = [[1, 1, 0], [0, 1, 1], [1, 1, 1]] and λ = 1: XᵀX + I = [[3, 2, 1], [2, 4, 2], [1, 2, 3]], whose inverse,
    /// worked out by hand (cofactors over the determinant 16), is P = [[2, −1, 0], [−1, 2, −1], [0, −1, 2]] / 4.
    /// So B = [[0, ½, 0], [½, 0, ½], [0, ½, 0]]; a one-item block before it checks where the block's B goes.
    @Test func aThreeItemBlockWithAKnownInverse() {
        let x = SparseMatrix(
            rows: 3, columns: 4,
            triples: [(0, 0, 1), (0, 1, 1), (0, 2, 1), (1, 2, 1), (1, 3, 1), (2, 1, 1), (2, 2, 1), (2, 3, 1)])
        let ease = EASE(
            userItems: x, blocks: [0..<1, 1..<4], configuration: .init(lambda: 1, input: .binary), threads: 2)
        let expected: [Float] = [0] + [0, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0]
        #expect(ease.weights.count == expected.count)
        #expect(zip(ease.weights, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(ease.weights)")
    }

    /// A block large enough to be factorised by OpenBLAS on several threads, between two small ones fitted side by
    /// side: the defining identity holds for a sample of the large block's rows, one thread gives the same B up to
    /// rounding, and each small block's B is where it belongs and the same as fitted alone.
    @Test func aLargeBlockBetweenSmallOnesOnSeveralThreads() {
        let n = EASE.smallestSharedBlock + 88
        let large = 25..<(25 + n)
        let blocks = [0..<25, large, large.upperBound..<(large.upperBound + 35)]
        let x = Self.randomHistory(users: 3 * n, items: blocks[2].upperBound, seed: 11)
        let configuration = EASE.Configuration(lambda: 20, input: .binary)
        let two = EASE(userItems: x, blocks: blocks, configuration: configuration, threads: 2)
        let one = EASE(userItems: x, blocks: blocks, configuration: configuration, threads: 1)
        #expect(zip(one.weights, two.weights).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
        let offsets = EASE.blockOffsets(blocks: blocks)
        for index in [0, 2] {
            let alone = EASE(userItems: x, blocks: [blocks[index]], configuration: configuration, threads: 1)
            #expect(Array(two.weights[offsets[index]..<offsets[index + 1]]) == alone.weights)
        }
        let b = two.weights[offsets[1]..<offsets[2]]
        var gramRows = [[Double]](repeating: [Double](repeating: 0, count: n), count: 3)
        let sampled = [0, n / 2, n - 1]
        for user in 0..<x.rows {
            let columns = x.rowRange(user).map { Int(x.columnIndices[$0]) - large.lowerBound }.filter {
                (0..<n).contains($0)
            }
            for (row, item) in sampled.enumerated() where columns.contains(item) {
                for column in columns { gramRows[row][column] += 1 }
            }
        }
        for (row, item) in sampled.enumerated() {
            gramRows[row][item] += configuration.lambda
            #expect(b[offsets[1] + item * n + item] == 0)
            for j in stride(from: 0, to: n, by: 7) where j != item {
                var product = 0.0
                for k in 0..<n { product += gramRows[row][k] * Double(b[offsets[1] + k * n + j]) }
                #expect(abs(product - gramRows[row][j]) < 1e-3 * max(1, abs(gramRows[row][j])), "(\(item), \(j))")
            }
        }
    }

    /// A large λ shrinks B towards XᵀX / λ: a guest's scores become co-occurrence counts. For a guest whose item
    /// everyone ordered, co-occurrence is popularity by distinct guests, so the order is popularity's.
    @Test func aLargeLambdaRanksByPopularity() {
        // Item 0 is ordered by all 40 guests; item k > 0 by the guests whose index is a multiple of k.
        var triples: [(Int, Int, Float)] = []
        for user in 0..<40 {
            triples.append((user, 0, 1))
            for item in 1..<8 where user % item == 0 { triples.append((user, item, Float(1 + user % 3))) }
        }
        let x = SparseMatrix(rows: 40, columns: 8, triples: triples)
        let popularity = Popularity(userItems: x).scores
        let popularOrder = popularity.columnIndices.map { Int($0) }.filter { $0 != 0 }
        let ease = EASE(userItems: x, blocks: [0..<8], configuration: .init(lambda: 1e7, input: .binary), threads: 1)
        let scores = (1..<8).map { ease.weights[0 * 8 + $0] }
        let easeOrder = (1..<8).sorted { scores[$0 - 1] > scores[$1 - 1] }
        #expect(easeOrder == popularOrder)
        let small = EASE(userItems: x, blocks: [0..<8], configuration: .init(lambda: 0.1, input: .binary), threads: 1)
        let smallScores = (1..<8).map { small.weights[$0] }
        #expect((1..<8).sorted { smallScores[$0 - 1] > smallScores[$1 - 1] } != popularOrder, "λ matters")
    }

    static func randomHistory(users: Int, items: Int, seed: UInt64) -> SparseMatrix {
        var random = SplitMix64(seed: seed)
        var triples: [(Int, Int, Float)] = []
        for user in 0..<users {
            for item in 0..<items where random.next() % 5 == 0 {
                triples.append((user, item, Float(1 + random.next() % 4)))
            }
        }
        return SparseMatrix(rows: users, columns: items, triples: triples)
    }
}
