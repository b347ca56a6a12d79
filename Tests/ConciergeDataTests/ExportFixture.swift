import Foundation

@testable import ConciergeData

/// Hand-made export files for tests: valid rows by default, any field overridden by column.
struct ExportRow {
    var values: [OrderExportColumn: String]

    static let kimchiStew =
        #"[{"orderType": "ROOM_SERVICE", "itemSeq": 101, "count": 2, "itemName": "김치찌개", "departmentSeq": 11, "price": 15000, "waitingPeriod": 20, "delayPeriod": 0, "couponSeq": null, "resultPrice": 30000}]"#

    init(
        orderSeq: Int = 1, hotel: Int = 1, customer: Int = 500, status: String = "COMPLETE",
        contents: String = kimchiStew, regDate: String = "2024-03-05 19:30:00"
    ) {
        values = [
            .orderSeq: String(orderSeq), .hotelSeq: String(hotel), .roomSeq: "\(hotel)01203",
            .customerSeq: String(customer), .orderPrice: "30000", .status: status, .contents: contents,
            .regDate: regDate, .checkDate: "2024-03-05 19:32:10", .refuseDate: #"\N"#,
            .completeDate: "2024-03-05 20:01:00", .roomBuildingSeq: "11", .roomFloorSeq: "",
            .roomName: "1203호", .customerName: "홍길동", .visitorCount: "3", .visitAdultCount: "2",
            .visitChildCount: "1", .visitBabyCount: "0", .checkIn: "2024-03-04 15:00:00",
            .checkOut: #"\N"#, .checkOutExpected: "2024-03-07 11:00:00",
        ]
    }

    subscript(column: OrderExportColumn) -> String {
        get { values[column]! }
        set { values[column] = newValue }
    }

    /// The row as CSV, quoting what needs quotes (and `contents` always, as the operator does).
    var csv: String {
        OrderExportColumn.allCases.map { column in
            let value = values[column]!
            let needsQuotes = column == .contents || value.contains { ",\"\r\n".contains($0) }
            return needsQuotes ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }.joined(separator: ",")
    }

    static var header: String { OrderExportColumn.allCases.map(\.rawValue).joined(separator: ",") }

    static func file(_ rows: [ExportRow]) -> String {
        ([header] + rows.map(\.csv)).joined(separator: "\n") + "\n"
    }
}

/// A directory of its own for one test, removed when the value is dropped.
final class TemporaryDirectory {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("concierge-data-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to `name` and returns its path.
    func write(_ name: String, _ text: String) -> String {
        let path = path(name)
        try! Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// One line of a quarantine file.
struct QuarantineEntry: Decodable, Equatable {
    var file: String
    var line: Int
    var reason: String
    var field: String?
    var order_seq: Int?
    var raw: String?
    var raw_base64: String?

    static func read(_ path: String) throws -> [QuarantineEntry] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Self.self, from: Data($0.utf8)) }
    }
}

extension FeatureStore {
    /// The first column of the first row of `sql`, for checks on what the store holds.
    func integer(_ sql: String) throws -> Int {
        let statement = try database.prepare(sql)
        guard try statement.step() else { return 0 }
        let value = statement.int(0)
        while try statement.step() {}
        return value
    }
}
