import ConciergeModel
import ConciergeModelFormat
import ConciergeRegistry
import ConciergeServing
import Dispatch
import Foundation
import Testing

/// How long `serve` takes to get a production-sized ALS version ready: open (verify every SHA-256, map,
/// index the ids), build the recommender (fold-in's `YᵀY`, department codes) and warm up.
/// Minutes to set up, so it runs only when asked:
/// `CONCIERGE_STARTUP_BENCHMARK=1 swift test -c release --filter StartupBenchmarkTests`.
/// With `CONCIERGE_STARTUP_BENCHMARK_REGISTRY=DIR` the version is published there and kept, so that
/// `concierge serve --registry DIR --model big --version 1` can be timed too.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CONCIERGE_STARTUP_BENCHMARK"] != nil))
struct StartupBenchmarkTests {
    @Test func aMillionItemModelIsReadyInUnderTwoSeconds() throws {
        let keptRegistry = ProcessInfo.processInfo.environment["CONCIERGE_STARTUP_BENCHMARK_REGISTRY"]
        let folder = keptRegistry ?? FileManager.default.temporaryDirectory.path + "/startup-\(UUID().uuidString)"
        defer { if keptRegistry == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let registry = ModelRegistry(directory: folder)

        let publishStart = DispatchTime.now()
        try registry.publish(model: "big", artifacts: Self.millionItemArtifacts())
        print("publish: \(String(format: "%.2f", seconds(since: publishStart))) s")

        var phases: [(open: Double, recommender: Double, warmUp: Double)] = []
        for _ in 0..<5 {
            let start = DispatchTime.now()
            let model = try registry.open(model: "big", versionOrAlias: "1")
            let opened = seconds(since: start)
            let recommender = Recommender(model: model, threads: ProcessInfo.processInfo.activeProcessorCount)
            let built = seconds(since: start)
            recommender.warmUp()
            phases.append((opened, built - opened, seconds(since: start) - built))
            #expect(model.itemIndex(for: "item-999999") == 999_999)
        }
        for phase in phases {
            print(
                String(
                    format: "open %.3f s + recommender %.3f s + warm-up %.3f s = %.3f s",
                    phase.open, phase.recommender, phase.warmUp, phase.open + phase.recommender + phase.warmUp))
        }
        let totals = phases.map { $0.open + $0.recommender + $0.warmUp }.sorted()
        #expect(totals[totals.count / 2] < 2)
    }

    /// 1,000,000 items × 64 factors over 5,000 hotels, 200,000 guests with ten orders each.
    private static func millionItemArtifacts() -> ModelArtifacts {
        let items = 1_000_000
        let users = 200_000
        let hotels = 5_000
        let factors = 64
        let neighbours = 10
        let itemsPerHotel = items / hotels
        let departments = ["kitchen", "bar", "housekeeping", "spa", "front desk"]
        var random = SplitMix64(seed: 7)
        return ModelArtifacts(
            kind: .als, userIDs: (0..<users).map { "guest-\($0)" }, itemIDs: (0..<items).map { "item-\($0)" },
            items: (0..<items).map {
                ItemMetadata(
                    name: "Item number \($0)", hotel: $0 / itemsPerHotel,
                    department: departments[$0 % departments.count],
                    price: 9.5)
            },
            hotelIDs: (0..<hotels).map { "hotel-\($0)" },
            hotelItemRanges: (0..<hotels).map { ($0 * itemsPerHotel)..<(($0 + 1) * itemsPerHotel) },
            userHotel: (0..<users).map { $0 % hotels },
            userFactors: DenseMatrix(
                rows: users, columns: factors, values: (0..<(users * factors)).map { _ in random.nextUnitFloat() - 0.5 }
            ),
            itemFactors: DenseMatrix(
                rows: items, columns: factors, values: (0..<(items * factors)).map { _ in random.nextUnitFloat() - 0.5 }
            ),
            userItems: SparseMatrix(
                rows: users, columns: items, rowOffsets: (0...users).map { $0 * 10 },
                columnIndices: (0..<(users * 10)).map {
                    Int32(($0 / 10 % hotels) * itemsPerHotel + $0 * 7 % itemsPerHotel)
                },
                values: [Float](repeating: 1, count: users * 10)),
            itemNeighbours: SparseMatrix(
                rows: items, columns: items, rowOffsets: (0...items).map { $0 * neighbours },
                columnIndices: (0..<(items * neighbours)).map {
                    Int32(
                        $0 / neighbours / itemsPerHotel * itemsPerHotel + ($0 / neighbours + $0 % neighbours + 1)
                            % itemsPerHotel)
                },
                values: (0..<(items * neighbours)).map { 1 - Float($0 % neighbours) / 10 }),
            popularity: SparseMatrix(
                rows: hotels, columns: items, rowOffsets: (0...hotels).map { $0 * 50 },
                columnIndices: (0..<(hotels * 50)).map { Int32($0 / 50 * itemsPerHotel + $0 % 50) },
                values: (0..<(hotels * 50)).map { 100 - Float($0 % 50) }),
            hyperParameters: ["factors": 64, "regularization": 0.1, "alpha": 10],
            metrics: ["map@10": 0.1], candidates: [], dataFingerprint: "benchmark")
    }

    private func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
