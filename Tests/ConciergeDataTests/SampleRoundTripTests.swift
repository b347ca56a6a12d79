import Foundation
import Testing

@testable import ConciergeData

@Suite struct SampleRoundTripTests {
    @Test func everyQuirkOfTheSampleSurvivesIngest() throws {
        let directory = TemporaryDirectory()
        let export = directory.path("sample.csv")
        let summary = try SampleExportGenerator(configuration: .init(guests: 500, seed: 11)).write(to: export)

        // The sample has what real exports have.
        #expect(Set(summary.brokenRows.map(\.reason)).count == 14)
        #expect(Set(summary.ordersByStatus.keys) == Set(OrderStatus.allCases))
        for quirk in [
            summary.singleObjectContents, summary.multiLineContents, summary.strayWhitespaceContents,
            summary.escapedContents, summary.backslashNNulls, summary.emptyNulls, summary.freeOrders,
            summary.freeItemLines, summary.freeUnits, summary.linesWithoutFreeCount,
            summary.linesWithoutCompletePeriod, summary.returningGuests,
        ] {
            #expect(quirk > 0)
        }

        let storePath = directory.path("store.sqlite")
        let quarantinePath = directory.path("quarantine.jsonl")
        do {
            let store = try FeatureStore(path: storePath)
            let report = try #require(try store.ingest(exportsAt: [export], quarantineAt: quarantinePath).first)

            // Exactly the rows broken on purpose are quarantined, for the reason meant, on their lines.
            #expect(report.read == summary.rows)
            #expect(
                report.quarantined.map { SampleExportSummary.BrokenRow(line: $0.line, reason: $0.reason) }
                    == summary.brokenRows)
            #expect(report.accepted == summary.rows - summary.brokenRows.count)
            #expect(report.alreadyPresent == 0)

            #expect(try store.integer("SELECT count(*) FROM orders") == report.accepted)
            #expect(try store.integer("SELECT count(*) FROM order_items") == summary.orderLines)
            for (status, count) in summary.ordersByStatus {
                #expect(try store.integer("SELECT count(*) FROM orders WHERE status = '\(status.rawValue)'") == count)
            }
            #expect(try store.integer("SELECT count(*) FROM orders WHERE order_price = 0") == summary.freeOrders)
            #expect(try store.integer("SELECT count(*) FROM order_items WHERE price = 0") == summary.freeItemLines)
            #expect(try store.integer("SELECT sum(free_count) FROM order_items") == summary.freeUnits)
            #expect(
                try store.integer("SELECT count(*) FROM order_items WHERE complete_period IS NULL")
                    == summary.linesWithoutCompletePeriod)
            #expect(try store.integer("SELECT count(*) FROM order_items WHERE complete_period_filled IS NULL") == 0)
            #expect(try store.integer("SELECT count(*) FROM guests") == summary.guestsWithOrders)
            #expect(try store.integer("SELECT count(DISTINCT hotel_seq) FROM items") == summary.hotels)
        }
        // The store is closed here, so its write-ahead log has been checkpointed into the main file.

        // The quarantine file holds each broken row exactly as the file has it. Bytes, not Strings: a String
        // takes CR LF for one Character and would not split there.
        let lineFeed = UInt8(ascii: "\n")
        let fileLines = Array(try Data(contentsOf: URL(fileURLWithPath: export)))
            .split(separator: lineFeed, omittingEmptySubsequences: false)
        for entry in try QuarantineEntry.read(quarantinePath) {
            let raw = Array(try #require(entry.raw).utf8)
            let lines = (entry.line - 1)..<(entry.line + raw.count { $0 == lineFeed })
            try #require(lines.upperBound <= fileLines.count)
            #expect(Array(fileLines[lines].joined(separator: [lineFeed])) == raw, "line \(entry.line)")
        }

        // No guest's name anywhere in the store's files, though item names are there.
        let names = try Self.customerNames(in: export)
        #expect(names.count > 100)
        let storeFiles = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
            .filter { $0.hasPrefix("store.sqlite") }
            .map { try Data(contentsOf: directory.url.appendingPathComponent($0)) }
        #expect(storeFiles.contains { $0.range(of: Data("김치찌개".utf8)) != nil })
        for bytes in storeFiles {
            for name in names {
                #expect(bytes.range(of: Data(name.utf8)) == nil, "\(name)")
            }
        }
    }

    static func customerNames(in path: String) throws -> Set<String> {
        let column = OrderExportColumn.allCases.firstIndex(of: .customerName)!
        var names: Set<String> = []
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var reader = CSVReader()
        func collect(_ record: CSVRecord) {
            // Rows broken on purpose may lack a column, and have something else where the name would be.
            if record.line > 1 && record.fieldCount == OrderExportColumn.allCases.count {
                names.insert(String(decoding: record.field(column), as: UTF8.self))
            }
        }
        bytes.withUnsafeBufferPointer { reader.read($0, collect) }
        reader.finish(collect)
        return names
    }

    @Test func aSeedGivesTheSameBytesAndAnotherSeedOthers() throws {
        let directory = TemporaryDirectory()
        func sample(_ name: String, seed: UInt64) throws -> Data {
            let path = directory.path(name)
            _ = try SampleExportGenerator(configuration: .init(hotels: 3, guests: 150, weeks: 4, seed: seed)).write(
                to: path)
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let first = try sample("a.csv", seed: 7)
        #expect(try sample("b.csv", seed: 7) == first)
        #expect(try sample("c.csv", seed: 8) != first)
        #expect(!FileManager.default.fileExists(atPath: directory.path("a.csv.partial")))
    }
}
