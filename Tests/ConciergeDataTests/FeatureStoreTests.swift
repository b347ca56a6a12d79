import ConciergeSQLite
import Foundation
import Testing

@testable import ConciergeData

@Suite struct FeatureStoreTests {
    @Test func aStoreOfAnotherSchemaVersionIsRefusedByName() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("store.sqlite")
        _ = try FeatureStore(path: path)
        try SQLiteDatabase(path: path).execute("PRAGMA user_version = 99")
        #expect {
            _ = try FeatureStore(path: path)
        } throws: { error in
            guard case FeatureStoreError.schemaVersion(path, found: 99, expected: FeatureStore.schemaVersion) = error
            else { return false }
            return "\(error)".contains(path)
        }
    }

    @Test func aFileThatIsNotAFeatureStoreIsRefusedByName() throws {
        let directory = TemporaryDirectory()
        let text = directory.write("notes.sqlite", String(repeating: "not a database at all\n", count: 100))
        #expect {
            _ = try FeatureStore(path: text)
        } throws: { error in
            "\(error)" == "\(text): not an SQLite database, so not a feature store"
        }
        #expect(try String(contentsOfFile: text, encoding: .utf8).hasPrefix("not a database"))

        let foreign = directory.path("other.sqlite")
        try SQLiteDatabase(path: foreign).execute("CREATE TABLE t (x)")
        #expect(throws: FeatureStoreError.self) { _ = try FeatureStore(path: foreign) }
        #expect(throws: SQLiteError.self) {
            _ = try FeatureStore(path: directory.path("missing.sqlite"), access: .readOnly)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("missing.sqlite")))
    }

    @Test func aMissingFileOrAWrongHeaderStoresNothing() throws {
        let directory = TemporaryDirectory()
        let good = directory.write("good.csv", ExportRow.file([ExportRow(orderSeq: 1)]))
        // No header: the first line is a data row, and its guest's name must not reach the error message.
        let headless = directory.write("headless.csv", ExportRow(orderSeq: 2).csv + "\n")
        let store = try FeatureStore(path: directory.path("store.sqlite"))
        let quarantine = directory.path("quarantine.jsonl")

        #expect {
            _ = try store.ingest(exportsAt: [good, directory.path("missing.csv")], quarantineAt: quarantine)
        } throws: { error in
            "\(error)".hasPrefix(directory.path("missing.csv") + ": cannot open")
        }
        #expect {
            _ = try store.ingest(exportsAt: [good, headless], quarantineAt: quarantine)
        } throws: { error in
            error is ExportHeaderError && "\(error)".hasPrefix(headless) && !"\(error)".contains("홍길동")
        }
        let empty = directory.write("empty.csv", "")
        #expect(throws: ExportHeaderError.self) { _ = try store.ingest(exportsAt: [empty], quarantineAt: quarantine) }
        #expect(try store.integer("SELECT count(*) FROM ingested_files") == 0)
        #expect(!FileManager.default.fileExists(atPath: quarantine))
    }

    @Test func ingestReportsProgressAfterEveryChunkEndingWithTheSummary() throws {
        let directory = TemporaryDirectory()
        let exports = [directory.path("week1.csv"), directory.path("week2.csv")]
        for (seed, export) in exports.enumerated() {
            _ = try SampleExportGenerator(configuration: .init(hotels: 3, guests: 1_500, seed: UInt64(seed + 1))).write(
                to: export)
        }
        let store = try FeatureStore(path: directory.path("store.sqlite"))
        var progress: [IngestProgress] = []
        let reports = try store.ingest(
            exportsAt: exports, quarantineAt: directory.path("q.jsonl"), progress: { progress.append($0) })

        for (export, report) in zip(exports, reports) {
            let file = progress.filter { $0.path == export }
            let size = try #require(try FileManager.default.attributesOfItem(atPath: export)[.size] as? Int)
            #expect(file.count >= size / OrderExportFile.chunkSize, "one report per chunk of \(size) bytes")
            #expect(file.count > 2)
            #expect(file.allSatisfy { $0.fileSize == size })
            for (before, after) in zip(file, file.dropFirst()) {
                #expect(before.bytesRead <= after.bytesRead && before.read <= after.read)
                #expect(before.accepted <= after.accepted && before.quarantined <= after.quarantined)
                #expect(before.alreadyPresent <= after.alreadyPresent)
            }
            #expect(file.allSatisfy { $0.read == $0.accepted + $0.quarantined + $0.alreadyPresent })
            let last = try #require(file.last)
            #expect(
                last
                    == IngestProgress(
                        path: export, bytesRead: report.bytes, fileSize: size, read: report.read,
                        accepted: report.accepted,
                        alreadyPresent: report.alreadyPresent, quarantined: report.quarantined.count))
        }
        #expect(progress.map(\.path) == progress.map(\.path).sorted(), "files one after the other")
    }

    @Test func ingestingTheSameFileTwiceChangesNothing() throws {
        let directory = TemporaryDirectory()
        let export = directory.path("sample.csv")
        let summary = try SampleExportGenerator(configuration: .init(hotels: 2, guests: 60, seed: 3)).write(to: export)
        let store = try FeatureStore(path: directory.path("store.sqlite"))
        let quarantine = directory.path("quarantine.jsonl")
        let first = try #require(try store.ingest(exportsAt: [export], quarantineAt: quarantine).first)
        let tables = ["orders", "order_items", "items", "guests"]
        let counts = try tables.map { try store.integer("SELECT count(*) FROM \($0)") }
        let guestSpend = try store.integer("SELECT sum(total_spend) FROM guests")

        let second = try #require(try store.ingest(exportsAt: [export], quarantineAt: quarantine).first)
        #expect(second.accepted == 0)
        #expect(second.alreadyPresent == first.accepted)
        #expect(second.quarantined == first.quarantined)
        #expect(second.read == summary.rows && second.fingerprint == first.fingerprint)
        #expect(try tables.map { try store.integer("SELECT count(*) FROM \($0)") } == counts)
        #expect(try store.integer("SELECT sum(total_spend) FROM guests") == guestSpend)
        #expect(try store.integer("SELECT count(*) FROM ingested_files") == 2)
        #expect(try QuarantineEntry.read(quarantine).count == 2 * first.quarantined.count)
    }

    @Test func derivedFeatures() throws {
        let directory = TemporaryDirectory()
        let stew = ExportRow.kimchiStew
        func withPeriod(_ minutes: Int?) -> String {
            stew.replacingOccurrences(
                of: #""resultPrice": 30000"#,
                with: #""resultPrice": 30000"# + (minutes.map { #", "completePeriod": \#($0)"# } ?? ""))
        }
        var rows = [10, 30, nil, 20, nil].enumerated().map { index, minutes in
            var row = ExportRow(
                orderSeq: index + 1, contents: withPeriod(minutes), regDate: "2024-03-0\(index + 4) 12:00:00")
            row[.checkIn] = "2024-03-04 15:00:00"
            return row
        }
        rows[1][.status] = "CANCEL"
        rows[4][.visitorCount] = "0"
        rows[4][.checkOut] = "2024-03-09 10:30:00"
        let export = directory.write("week.csv", ExportRow.file(rows))
        let store = try FeatureStore(path: directory.path("store.sqlite"))
        _ = try store.ingest(exportsAt: [export], quarantineAt: directory.path("q.jsonl"))

        // Lower median of 10, 20, 30 is 20; missing periods are filled with it, reported ones kept.
        let filled = try store.database.prepare("SELECT complete_period_filled FROM order_items ORDER BY order_seq")
        var periods: [Int] = []
        while try filled.step() { periods.append(filled.int(0)) }
        #expect(periods == [10, 30, 20, 20, 20])
        // 15:00 on the 4th to 11:00 on the 7th (expected) is 3 nights; to 10:30 on the 9th is 5.
        #expect(try store.integer("SELECT stay_period FROM orders WHERE order_seq = 1") == 3)
        #expect(try store.integer("SELECT stay_period FROM orders WHERE order_seq = 5") == 5)
        #expect(try store.integer("SELECT avg_spending_per_visitor * 3 FROM orders WHERE order_seq = 1") == 30000)
        #expect(try store.integer("SELECT count(*) FROM orders WHERE avg_spending_per_visitor IS NULL") == 1)
        // Four COMPLETE orders of 30,000; the latest order's stay; one guest.
        #expect(try store.integer("SELECT total_spend FROM guests WHERE customer_seq = 500") == 120_000)
        #expect(try store.integer("SELECT complete_orders FROM guests") == 4)
        #expect(try store.integer("SELECT orders FROM guests") == 5)
        #expect(try store.integer("SELECT stay_period FROM guests") == 5)
        #expect(try store.integer("SELECT count(*) FROM guests") == 1)
    }
}
