import ConciergeModel

/// Guests in latent groups, each ordering mostly from its group's items plus some noise:
/// a matrix whose structure a recommender should recover.
struct PlantedMatrix {
    let matrix: SparseMatrix
    let groupOfUser: [Int]
    let groupOfItem: [Int]

    init(groups: Int, usersPerGroup: Int, itemsPerGroup: Int, itemsPerUser: Int, noise: Int, seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let items = groups * itemsPerGroup
        var entries: [SparseMatrix.Entry] = []
        var groupOfUser: [Int] = []
        for group in 0..<groups {
            for _ in 0..<usersPerGroup {
                let user = groupOfUser.count
                groupOfUser.append(group)
                var chosen = Set<Int>()
                while chosen.count < itemsPerUser {
                    chosen.insert(group * itemsPerGroup + Int(generator.next(upperBound: UInt64(itemsPerGroup))))
                }
                while chosen.count < itemsPerUser + noise {
                    chosen.insert(Int(generator.next(upperBound: UInt64(items))))
                }
                for item in chosen.sorted() {
                    entries.append(
                        .init(row: user, column: item, value: Float(1 + generator.next(upperBound: UInt64(3)))))
                }
            }
        }
        matrix = SparseMatrix(rows: groupOfUser.count, columns: items, entries: entries)
        self.groupOfUser = groupOfUser
        groupOfItem = (0..<items).map { $0 / itemsPerGroup }
    }
}

/// Random sparse matrices and buffers for property tests.
extension SplitMix64 {
    mutating func sparse(rows: Int, columns: Int, density: Double) -> SparseMatrix {
        var entries: [SparseMatrix.Entry] = []
        for row in 0..<rows {
            for column in 0..<columns where Double(nextUnitFloat()) < density {
                entries.append(.init(row: row, column: column, value: 0.5 + 3 * nextUnitFloat()))
            }
        }
        return SparseMatrix(rows: rows, columns: columns, entries: entries)
    }

    mutating func floats(_ count: Int, in range: ClosedRange<Float> = -1...1) -> [Float] {
        (0..<count).map { _ in range.lowerBound + (range.upperBound - range.lowerBound) * nextUnitFloat() }
    }
}
