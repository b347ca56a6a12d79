import ConciergeModel
import ConciergeRegistry
import Dispatch
import Foundation
import Testing

/// How long `open` takes for a production-sized model. Minutes to set up, so it runs only when asked:
/// `CONCIERGE_REGISTRY_BENCHMARK=1 swift test -c release --filter LoadBenchmarkTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CONCIERGE_REGISTRY_BENCHMARK"] != nil))
struct LoadBenchmarkTests {
    @Test func openingAMillionItemModelTakesUnderTwoSeconds() throws {
        let items = 1_000_000
        let users = 200_000
        let hotels = 5_000
        let factors = 64
        let neighbours = 10
        let itemsPerHotel = items / hotels

        var random = TestRandom(seed: 7)
        let itemNeighbourIndices = (0..<(items * neighbours)).map {
            Int32(($0 / neighbours * 7 + $0 % neighbours + 1) % items)
        }
        let artifacts = ModelArtifacts(
            kind: .als, userIDs: (0..<users).map { "guest-\($0)" }, itemIDs: (0..<items).map { "item-\($0)" },
            items: (0..<items).map {
                ItemMetadata(name: "Item number \($0)", hotel: $0 / itemsPerHotel, department: "kitchen", price: 9.5)
            },
            hotelIDs: (0..<hotels).map { "hotel-\($0)" },
            hotelItemRanges: (0..<hotels).map { ($0 * itemsPerHotel)..<(($0 + 1) * itemsPerHotel) },
            userHotel: (0..<users).map { $0 % hotels },
            userFactors: DenseMatrix(
                rows: users, columns: factors, values: (0..<(users * factors)).map { _ in random.next() }),
            itemFactors: DenseMatrix(
                rows: items, columns: factors, values: (0..<(items * factors)).map { _ in random.next() }),
            userItems: SparseMatrix(
                rows: users, columns: items, rowOffsets: (0...users).map { $0 * 10 },
                columnIndices: (0..<(users * 10)).map { Int32(($0 * 7_919) % items) },
                values: [Float](repeating: 1, count: users * 10)),
            itemNeighbours: SparseMatrix(
                rows: items, columns: items, rowOffsets: (0...items).map { $0 * neighbours },
                columnIndices: itemNeighbourIndices,
                values: (0..<(items * neighbours)).map { 1 - Float($0 % neighbours) / 10 }),
            popularity: SparseMatrix(
                rows: hotels, columns: items, rowOffsets: (0...hotels).map { $0 * 50 },
                columnIndices: (0..<(hotels * 50)).map { Int32($0 / 50 * itemsPerHotel + $0 % 50) },
                values: (0..<(hotels * 50)).map { 100 - Float($0 % 50) }),
            hyperParameters: ["factors": 64], metrics: ["map@10": 0.1], candidates: [], dataFingerprint: "benchmark")

        let scratch = ScratchDirectory()
        let publishStart = DispatchTime.now()
        try scratch.registry.publish(model: "big", artifacts: artifacts)
        print("publish: \(seconds(since: publishStart)) s")

        var timings: [Double] = []
        for _ in 0..<5 {
            let start = DispatchTime.now()
            let model = try scratch.registry.open(model: "big", versionOrAlias: "1")
            timings.append(seconds(since: start))
            #expect(model.itemIndex(for: "item-999999") == 999_999)
        }
        let bytes = try FileManager.default.contentsOfDirectory(atPath: scratch.registry.directory + "/big/1").reduce(0)
        {
            $0
                + ((try FileManager.default.attributesOfItem(atPath: scratch.registry.directory + "/big/1/" + $1)[.size]
                    as? Int) ?? 0)
        }
        print("open (\(bytes / 1_000_000) MB): \(timings.map { String(format: "%.3f", $0) }.joined(separator: " ")) s")
        #expect(timings.min()! < 2)
    }

    private func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
