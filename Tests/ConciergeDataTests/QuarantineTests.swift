import Foundation
import Testing

@testable import ConciergeData

/// Every reason a row can be quarantined for, each with a row that lands in quarantine for it, on the right
/// line and with its raw text intact.
@Suite struct QuarantineTests {
    static func contents(replacing old: String, with new: String) -> String {
        ExportRow.kimchiStew.replacingOccurrences(of: old, with: new)
    }

    static func row(_ orderSeq: Int, _ change: (inout ExportRow) -> Void = { _ in }) -> String {
        var row = ExportRow(orderSeq: orderSeq)
        change(&row)
        return row.csv
    }

    /// Rows of one file after its header, each with the reason it must be quarantined for (nil: accepted).
    static let rows: [(csv: String, reason: RejectionReason?)] = [
        (row(1), nil),
        (
            row(2) {
                $0[.contents] =
                    "[\n  {\"itemSeq\": 102, \"count\": 1,\r\n\t\"itemName\": \"생수\", \"departmentSeq\": 14, \"price\": 0}\n]"
            }, nil
        ),
        (row(3).replacingOccurrences(of: "1203호", with: "12\"03호"), .malformedQuotes),
        (row(4) + ",extra", .wrongColumnCount),
        (row(5) { $0[.customerSeq] = #"\N"# }, .missingField(.customerSeq)),
        (row(6) { $0[.status] = "" }, .missingField(.status)),
        (row(7) { $0[.hotelSeq] = "1a" }, .badInteger(.hotelSeq)),
        (row(8) { $0[.visitorCount] = "-1" }, .negativeValue(.visitorCount)),
        (row(9) { $0[.checkIn] = "2024-02-30 15:00:00" }, .badDatetime(.checkIn)),
        (row(10) { $0[.status] = "DELIVERED" }, .unknownStatus),
        (row(11) { $0[.checkOut] = "2024-03-03 11:00:00" }, .checkOutBeforeCheckIn),
        (row(12) { $0[.contents] = "" }, .emptyContents),
        (row(13) { $0[.contents] = " [ ] " }, .emptyContents),
        (row(14) { $0[.contents] = #"\N"# }, .emptyContents),
        (row(15) { $0[.contents] = #"[{"itemSeq": 101,}]"# }, .contentsNotJSON),
        (row(16) { $0[.contents] = #""김치찌개""# }, .contentsNotObjectOrArray),
        (row(17) { $0[.contents] = "[101, 102]" }, .contentsNotObjectOrArray),
        (
            row(18) { $0[.contents] = contents(replacing: #""itemName": "김치찌개", "#, with: "") },
            .itemMissingField(.itemName)
        ),
        (
            row(19) { $0[.contents] = contents(replacing: #""price": 15000"#, with: #""price": "15000""#) },
            .itemBadValue(.price)
        ),
        (
            row(20) { $0[.contents] = contents(replacing: #""count": 2"#, with: #""count": 2, "freeCount": 3"#) },
            .itemBadValue(.freeCount)
        ),
        (row(21) { $0[.contents] = contents(replacing: #""count": 2"#, with: #""count": 0"#) }, .itemBadValue(.count)),
        (row(1), .duplicateInFile),
        (row(22) { $0[.hotelSeq] = "2" }, .itemHotelConflict),
        // Must be last: an open quote takes the rest of the file.
        ("23,1,101203,500,30000,COMPLETE,\"[{\"\"itemSeq\"\": 101", .unterminatedQuote),
    ]

    @Test func everyReasonLandsInQuarantineWithItsLineAndRawRow() throws {
        let directory = TemporaryDirectory()
        let text = ExportRow.header + "\n" + Self.rows.map(\.csv).joined(separator: "\n")
        let export = directory.write("week.csv", text)
        let store = try FeatureStore(path: directory.path("store.sqlite"))
        let quarantinePath = directory.path("quarantine.jsonl")
        let report = try #require(try store.ingest(exportsAt: [export], quarantineAt: quarantinePath).first)

        var line = 2
        var expected: [IngestReport.QuarantinedRow] = []
        var expectedEntries: [QuarantineEntry] = []
        for row in Self.rows {
            if let reason = row.reason {
                expected.append(.init(line: line, reason: reason))
                expectedEntries.append(
                    QuarantineEntry(
                        file: export, line: line, reason: reason.code, field: reason.field,
                        order_seq: Int(row.csv.prefix { $0 != "," }), raw: row.csv))
            }
            line += 1 + row.csv.filter { $0 == "\n" || $0 == "\r\n" }.count
        }
        #expect(report.read == Self.rows.count)
        #expect(report.accepted == 2)
        #expect(report.alreadyPresent == 0)
        #expect(report.quarantined == expected)
        #expect(try QuarantineEntry.read(quarantinePath) == expectedEntries)
        #expect(try store.integer("SELECT count(*) FROM orders") == 2)
        // The multi-line contents with a tab and CR/LF inside came through as one free item.
        #expect(try store.integer("SELECT count(*) FROM order_items WHERE order_seq = 2 AND price = 0") == 1)
    }

    @Test func changingAStoredOrderIsAConflictAndRepeatingItIsNot() throws {
        let directory = TemporaryDirectory()
        let store = try FeatureStore(path: directory.path("store.sqlite"))
        let quarantinePath = directory.path("quarantine.jsonl")
        let first = directory.write("week1.csv", ExportRow.file([ExportRow(orderSeq: 1), ExportRow(orderSeq: 2)]))
        _ = try store.ingest(exportsAt: [first], quarantineAt: quarantinePath)

        var changed = ExportRow(orderSeq: 2)
        changed[.orderPrice] = "25000"
        var renamedGuest = ExportRow(orderSeq: 1)
        renamedGuest[.customerName] = "김철수"
        let second = directory.write("week2.csv", ExportRow.file([renamedGuest, changed, ExportRow(orderSeq: 3)]))
        let report = try #require(try store.ingest(exportsAt: [second], quarantineAt: quarantinePath).first)

        // The name is not part of the stored order, so a row differing only in it is the same order.
        #expect(report.alreadyPresent == 1)
        #expect(report.quarantined == [.init(line: 3, reason: .conflictWithStore)])
        #expect(report.accepted == 1)
        #expect(try store.integer("SELECT order_price FROM orders WHERE order_seq = 2") == 30000)
        #expect(try QuarantineEntry.read(quarantinePath).map(\.reason) == ["conflict_with_store"])
    }

    @Test func aRowThatIsNotUTF8KeepsItsBytesInBase64() throws {
        let directory = TemporaryDirectory()
        var row = ExportRow(orderSeq: 1)
        row[.status] = "BROKEN"
        let bytes = Array((ExportRow.header + "\n").utf8) + Array(row.csv.utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        let export = directory.path("week.csv")
        try Data(bytes).write(to: URL(fileURLWithPath: export))
        let store = try FeatureStore(path: directory.path("store.sqlite"))
        let quarantinePath = directory.path("quarantine.jsonl")
        _ = try store.ingest(exportsAt: [export], quarantineAt: quarantinePath)

        let entry = try #require(try QuarantineEntry.read(quarantinePath).first)
        #expect(entry.raw == nil)
        #expect(entry.raw_base64.flatMap { Data(base64Encoded: $0) } == Data(Array(row.csv.utf8) + [0xFF, 0xFE]))
    }
}
