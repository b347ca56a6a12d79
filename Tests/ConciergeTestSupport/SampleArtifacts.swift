import ConciergeModel
package import ConciergeModelFormat
import Foundation

/// Deterministic numbers for test data, so failures reproduce.
package struct TestRandom {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 24)
    }
}

/// A small but complete model: three hotels (the middle one without items), Korean and ASCII names,
/// every file kind populated.
package func sampleArtifacts(kind: ModelKind = .als, factors: Int = 4, seed: UInt64 = 1) -> ModelArtifacts {
    var random = TestRandom(seed: seed)
    let hotelIDs = ["H-001", "H-002", "H-003"]
    let hotelItemRanges = [0..<3, 3..<3, 3..<7]
    let names = ["김치볶음밥", "Club sandwich", "Extra towels", "Kids' set", "Pillow menu", "Espresso", "Late checkout"]
    let departments = ["kitchen", "kitchen", "housekeeping", "kitchen", "housekeeping", "bar", "front desk"]
    let items = names.indices.map { index in
        ItemMetadata(
            name: names[index], hotel: index < 3 ? 0 : 2, department: departments[index],
            price: Double(index) * 2.5 + 0.99)
    }
    let itemIDs = (1...7).map { "item-\($0)" }
    let userIDs = ["guest-a", "guest-b", "손님-c", "guest-d", "guest-e"]
    let userHotel = [0, 2, 2, 0, 2]
    let userItems = SparseMatrix(
        rows: 5, columns: 7,
        entries: [
            .init(row: 0, column: 0, value: 2), .init(row: 0, column: 2, value: 1), .init(row: 1, column: 3, value: 1),
            .init(row: 1, column: 6, value: 3), .init(row: 2, column: 4, value: 1), .init(row: 3, column: 1, value: 1),
            .init(row: 4, column: 5, value: 2), .init(row: 4, column: 3, value: 1),
        ])
    var neighbourOffsets = [0]
    var neighbourIndices: [Int32] = []
    var neighbourValues: [Float] = []
    for item in 0..<7 {
        let others = (0..<7).filter { $0 != item }.map { (Int32($0), random.next()) }.sorted { $0.1 > $1.1 }.prefix(3)
        neighbourIndices += others.map(\.0)
        neighbourValues += others.map(\.1)
        neighbourOffsets.append(neighbourIndices.count)
    }
    let popularity = SparseMatrix(
        rows: 3, columns: 7, rowOffsets: [0, 3, 3, 7], columnIndices: [2, 0, 1, 6, 3, 5, 4],
        values: [9, 5, 1, 7, 4, 4, 2])
    let hasFactors = kind.requiresFactors
    return ModelArtifacts(
        kind: kind, userIDs: userIDs, itemIDs: itemIDs, items: items, hotelIDs: hotelIDs,
        hotelItemRanges: hotelItemRanges, userHotel: userHotel,
        userFactors: hasFactors
            ? DenseMatrix(rows: 5, columns: factors, values: (0..<(5 * factors)).map { _ in random.next() - 0.5 })
            : nil,
        itemFactors: hasFactors
            ? DenseMatrix(rows: 7, columns: factors, values: (0..<(7 * factors)).map { _ in random.next() - 0.5 })
            : nil,
        userItems: userItems,
        userFreeItems: SparseMatrix(
            rows: 5, columns: 7, entries: [.init(row: 0, column: 1, value: 1), .init(row: 1, column: 5, value: 2)]),
        itemNeighbours: SparseMatrix(
            rows: 7, columns: 7, rowOffsets: neighbourOffsets, columnIndices: neighbourIndices, values: neighbourValues),
        popularity: popularity,
        easeWeights: kind.requiresEaseWeights
            ? EASE(
                userItems: userItems, blocks: hotelItemRanges, configuration: .init(lambda: 1, input: .units),
                threads: 1
            ).weights : nil,
        hyperParameters: ["factors": .number(Double(factors)), "regularization": 0.05, "similarity": "cosine"],
        metrics: ["map@10": 0.1234, "precision@10": 0.0567, "ndcg@10": 0.2345],
        candidates: [
            ModelCandidate(kind: .als, hyperParameters: ["factors": 4], metrics: ["map@10": 0.1234]),
            ModelCandidate(kind: .popular, hyperParameters: [:], metrics: ["map@10": 0.05]),
        ],
        dataFingerprint: "sha256:" + String(repeating: "ab", count: 32))
}

/// Versions are read-only on disk; tests that damage them make a file writable first.
package func makeWritable(_ path: String) throws {
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
}

package func flipByte(in path: String, at offset: Int? = nil) throws {
    try makeWritable(path)
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let index = offset ?? bytes.count / 2
    bytes[index] ^= 0x01
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
