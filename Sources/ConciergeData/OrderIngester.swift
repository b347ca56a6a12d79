import ConciergeSQLite
import Foundation

/// Writes validated export rows into the feature store, one transaction per file, with prepared statements.
final class OrderIngester {
    private let database: SQLiteDatabase
    /// Which hotel's menu each item is on: from the store, then from the rows accepted since.
    private var itemHotels: [Int: Int] = [:]

    private let insertFile: SQLiteStatement
    private let finishFile: SQLiteStatement
    private let selectFingerprint: SQLiteStatement
    private let insertOrder: SQLiteStatement
    private let insertItemLine: SQLiteStatement
    private let upsertItem: SQLiteStatement
    private let refreshGuests: SQLiteStatement
    private let selectMedianCompletePeriod: SQLiteStatement
    private let fillCompletePeriods: SQLiteStatement

    init(database: SQLiteDatabase) throws {
        self.database = database
        let items = try database.prepare("SELECT item_seq, hotel_seq FROM items")
        while try items.step() { itemHotels[items.int(0)] = items.int(1) }

        insertFile = try database.prepare(
            """
            INSERT INTO ingested_files (path, fingerprint, bytes, rows_read, accepted, quarantined, already_present,
                ingested_at)
            VALUES (?, '', 0, 0, 0, 0, 0, ?)
            """)
        finishFile = try database.prepare(
            """
            UPDATE ingested_files SET fingerprint = ?2, bytes = ?3, rows_read = ?4, accepted = ?5, quarantined = ?6,
                already_present = ?7
            WHERE file_id = ?1
            """)
        selectFingerprint = try database.prepare("SELECT content_fingerprint FROM orders WHERE order_seq = ?")
        insertOrder = try database.prepare(
            """
            INSERT INTO orders (order_seq, hotel_seq, room_seq, customer_seq, order_price, status, reg_date, check_date,
                refuse_date, complete_date, room_building_seq, room_floor_seq, visitor_cnt, visit_adult_cnt,
                visit_child_cnt, visit_baby_cnt, check_in, check_out, check_out_expected, stay_period,
                avg_spending_per_visitor, content_fingerprint, file_id)
            VALUES (\(Array(repeating: "?", count: 23).joined(separator: ", ")))
            """)
        insertItemLine = try database.prepare(
            """
            INSERT INTO order_items (order_seq, position, item_seq, department_seq, order_type, count, free_count,
                price, result_price, coupon_seq, waiting_period, delay_period, complete_period, complete_period_filled)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)
            """)
        upsertItem = try database.prepare(
            """
            INSERT INTO items (item_seq, hotel_seq, item_name, department_seq, price, seen_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (item_seq) DO UPDATE SET item_name = excluded.item_name,
                department_seq = excluded.department_seq, price = excluded.price, seen_at = excluded.seen_at
            WHERE excluded.seen_at >= items.seen_at
            """)
        refreshGuests = try database.prepare(
            """
            WITH guest_orders AS (
                SELECT * FROM orders WHERE customer_seq IN (SELECT customer_seq FROM orders WHERE file_id = ?1)
            ), totals AS (
                SELECT customer_seq, count(*) AS orders, sum(status = 'COMPLETE') AS complete_orders,
                    coalesce(sum(CASE WHEN status = 'COMPLETE' THEN order_price END), 0) AS total_spend,
                    avg(CASE WHEN status = 'COMPLETE' THEN avg_spending_per_visitor END) AS avg_spending_per_visitor,
                    min(reg_date) AS first_order_date, max(reg_date) AS last_order_date
                FROM guest_orders GROUP BY customer_seq
            ), latest AS (
                SELECT *, row_number() OVER (PARTITION BY customer_seq ORDER BY reg_date DESC, order_seq DESC) AS recency
                FROM guest_orders
            )
            INSERT OR REPLACE INTO guests (customer_seq, latest_hotel_seq, orders, complete_orders, total_spend,
                avg_spending_per_visitor, visitor_cnt, visit_adult_cnt, visit_child_cnt, visit_baby_cnt, stay_period,
                first_order_date, last_order_date)
            SELECT totals.customer_seq, latest.hotel_seq, totals.orders, totals.complete_orders, totals.total_spend,
                totals.avg_spending_per_visitor, latest.visitor_cnt, latest.visit_adult_cnt, latest.visit_child_cnt,
                latest.visit_baby_cnt, latest.stay_period, totals.first_order_date, totals.last_order_date
            FROM totals JOIN latest ON latest.customer_seq = totals.customer_seq AND latest.recency = 1
            """)
        // The lower middle value when the count is even, so the filled-in minutes stay whole.
        selectMedianCompletePeriod = try database.prepare(
            """
            SELECT complete_period FROM order_items WHERE complete_period IS NOT NULL ORDER BY complete_period
            LIMIT 1 OFFSET (SELECT (count(*) - 1) / 2 FROM order_items WHERE complete_period IS NOT NULL)
            """)
        fillCompletePeriods = try database.prepare(
            """
            UPDATE order_items SET complete_period_filled = ?1
            WHERE complete_period IS NULL AND complete_period_filled IS NOT ?1
            """)
    }

    /// What the rows of one file leave behind besides the orders themselves.
    private struct FileProgress {
        var read = 0
        var accepted = 0
        var alreadyPresent = 0
        var quarantined: [IngestReport.QuarantinedRow] = []
        /// order_seq of every row of the file that passed validation.
        var orderSeqs: Set<Int> = []
        /// Each item as of the latest order of the file that has it.
        var latestItems: [Int: (hotelSeq: Int, line: OrderItem, seenAt: Int)] = [:]
    }

    func ingest(
        exportAt path: String, quarantine: QuarantineWriter, progress report: (IngestProgress) -> Void
    ) throws -> IngestReport {
        let absolutePath = URL(fileURLWithPath: path).standardizedFileURL.path
        try quarantine.beginFile()
        do {
            return try database.transaction {
                try insertFile.bind(.text(absolutePath), .integer(Int64(Date().timeIntervalSince1970))).run()
                let fileID = database.lastInsertRowID
                var progress = FileProgress()
                let file = try OrderExportFile.readRecords(at: path) { record in
                    progress.read += 1
                    if let reason = try add(record, fileID: fileID, progress: &progress) {
                        progress.quarantined.append(.init(line: record.line, reason: reason))
                        try quarantine.add(
                            file: absolutePath, line: record.line, reason: reason,
                            orderSeq: Self.leadingOrderSeq(of: record), raw: record.raw)
                    }
                } afterEachChunk: { bytesRead, fileSize in
                    report(
                        IngestProgress(
                            path: path, bytesRead: bytesRead, fileSize: fileSize, read: progress.read,
                            accepted: progress.accepted, alreadyPresent: progress.alreadyPresent,
                            quarantined: progress.quarantined.count))
                }
                guard progress.accepted + progress.alreadyPresent + progress.quarantined.count == progress.read else {
                    throw FeatureStoreError.countsDisagree(
                        path: path, read: progress.read, accepted: progress.accepted,
                        quarantined: progress.quarantined.count, alreadyPresent: progress.alreadyPresent)
                }
                try finish(fileID: fileID, progress: progress)
                let report = IngestReport(
                    path: path, fingerprint: file.digest.hex, bytes: file.bytes, read: progress.read,
                    accepted: progress.accepted, alreadyPresent: progress.alreadyPresent,
                    quarantined: progress.quarantined)
                try finishFile.bind(
                    .integer(fileID), .text(report.fingerprint), .int(report.bytes), .int(report.read),
                    .int(report.accepted), .int(report.quarantined.count), .int(report.alreadyPresent)
                ).run()
                try quarantine.commitFile()
                return report
            }
        } catch {
            // The store rolled back; the quarantine file follows. Should truncating fail too, the first error is
            // the one worth reporting.
            try? quarantine.discardFile()
            throw error
        }
    }

    /// Stores the row's order, or says why not. Throws only for errors of the store itself.
    private func add(_ record: CSVRecord, fileID: Int64, progress: inout FileProgress) throws -> RejectionReason? {
        let order: Order
        do {
            order = try Order(validating: record)
        } catch {
            return error
        }
        guard progress.orderSeqs.insert(order.orderSeq).inserted else { return .duplicateInFile }
        let fingerprint = Int64(bitPattern: order.contentFingerprint)
        if let stored = try selectFingerprint.bind(.int(order.orderSeq)).singleInteger() {
            guard Int64(stored) == fingerprint else { return .conflictWithStore }
            progress.alreadyPresent += 1
            return nil
        }
        if order.items.contains(where: { itemHotels[$0.itemSeq].map { $0 != order.hotelSeq } ?? false }) {
            return .itemHotelConflict
        }

        try insertOrder.bind(
            .int(order.orderSeq), .int(order.hotelSeq), .int(order.roomSeq), .int(order.customerSeq),
            .int(order.orderPrice), .text(order.status.rawValue), .int(order.regDate),
            .int(order.checkDate), .int(order.refuseDate), .int(order.completeDate),
            .int(order.roomBuildingSeq), .int(order.roomFloorSeq), .int(order.visitorCount),
            .int(order.adultCount), .int(order.childCount), .int(order.babyCount),
            .int(order.checkIn), .int(order.checkOut), .int(order.checkOutExpected),
            .int(order.stayPeriod), order.averageSpendingPerVisitor.map { .real($0) } ?? .null,
            .integer(fingerprint), .integer(fileID)
        ).run()
        for (position, item) in order.items.enumerated() {
            try insertItemLine.bind(
                .int(order.orderSeq), .int(position), .int(item.itemSeq), .int(item.departmentSeq),
                item.orderType.map { .text($0) } ?? .null, .int(item.count), .int(item.freeCount),
                .int(item.price), .int(item.resultPrice), .int(item.couponSeq),
                .int(item.waitingPeriod), .int(item.delayPeriod), .int(item.completePeriod)
            ).run()
            itemHotels[item.itemSeq] = order.hotelSeq
            if progress.latestItems[item.itemSeq].map({ order.regDate >= $0.seenAt }) ?? true {
                progress.latestItems[item.itemSeq] = (order.hotelSeq, item, order.regDate)
            }
        }
        progress.accepted += 1
        return nil
    }

    /// Brings the derived tables up to date with the file's orders, inside its transaction.
    private func finish(fileID: Int64, progress: FileProgress) throws {
        for (itemSeq, latest) in progress.latestItems {
            try upsertItem.bind(
                .int(itemSeq), .int(latest.hotelSeq), .text(latest.line.itemName),
                .int(latest.line.departmentSeq), .int(latest.line.price), .int(latest.seenAt)
            ).run()
        }
        try refreshGuests.bind(.integer(fileID)).run()
        try fillCompletePeriods.bind(.int(selectMedianCompletePeriod.singleInteger())).run()
    }

    /// The row's order_seq for the quarantine file, when its first field reads as one.
    private static func leadingOrderSeq(of record: CSVRecord) -> Int? {
        Int(String(decoding: record.field(0), as: UTF8.self))
    }
}

extension SQLiteStatement.Value {
    static func int(_ value: Int) -> Self { .integer(Int64(value)) }
    static func int(_ value: Int?) -> Self { value.map { .integer(Int64($0)) } ?? .null }
}

extension SQLiteStatement {
    /// The first column of a query that returns at most one row, run to completion.
    func singleInteger() throws(SQLiteError) -> Int? {
        guard try step() else { return nil }
        let value = int(0)
        while try step() {}
        return value
    }
}
