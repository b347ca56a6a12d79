/// A validated row of the export. `room_name` and `customer_name` are never read into it: the store, the
/// models and the logs must not see the guest's name, and the room's name adds nothing the room number lacks.
/// Datetimes are unix seconds (see `ExportDateTime`).
struct Order: Equatable, Sendable {
    var orderSeq: Int
    var hotelSeq: Int
    var roomSeq: Int
    var customerSeq: Int
    var orderPrice: Int
    var status: OrderStatus
    var items: [OrderItem]
    var regDate: Int
    var checkDate: Int?
    var refuseDate: Int?
    var completeDate: Int?
    var roomBuildingSeq: Int?
    var roomFloorSeq: Int?
    var visitorCount: Int?
    var adultCount: Int?
    var childCount: Int?
    var babyCount: Int?
    var checkIn: Int?
    var checkOut: Int?
    var checkOutExpected: Int?

    /// Nights: Korean calendar days from check-in to check-out, so 15:00 one day to 11:00 the next is 1.
    /// Guests still in the hotel have no `check_out` yet; their expected one stands in.
    var stayPeriod: Int? {
        guard let checkIn, let end = checkOut ?? checkOutExpected else { return nil }
        return ExportDateTime.localDay(end) - ExportDateTime.localDay(checkIn)
    }

    var averageSpendingPerVisitor: Double? {
        guard let visitorCount, visitorCount > 0 else { return nil }
        return Double(orderPrice) / Double(visitorCount)
    }

    /// A digest of everything the store keeps of the order, to tell a re-exported order from a changed one.
    /// A `freeCount` left out and a `freeCount` of 0 are the same content.
    var contentFingerprint: UInt64 {
        var digest = FNV1a64()
        for value in [orderSeq, hotelSeq, roomSeq, customerSeq, orderPrice, regDate] { digest.combine(value) }
        digest.combine(status.rawValue)
        for value in [
            checkDate, refuseDate, completeDate, roomBuildingSeq, roomFloorSeq, visitorCount, adultCount,
            childCount, babyCount, checkIn, checkOut, checkOutExpected,
        ] {
            digest.combine(value)
        }
        digest.combine(items.count)
        for item in items {
            digest.combine(item.orderType)
            for value in [item.itemSeq, item.count, item.departmentSeq, item.price, item.freeCount] {
                digest.combine(value)
            }
            digest.combine(item.itemName)
            for value in [item.waitingPeriod, item.delayPeriod, item.couponSeq, item.resultPrice, item.completePeriod] {
                digest.combine(value)
            }
        }
        return digest.value
    }
}

extension Order {
    /// Validates a data row of the export. Checks run in column order, with `contents` last, so a row with
    /// several faults is rejected for the first of them.
    init(validating record: CSVRecord) throws(RejectionReason) {
        switch record.quoting {
        case .wellFormed: break
        case .malformed: throw .malformedQuotes
        case .unterminated: throw .unterminatedQuote
        }
        guard record.fieldCount == ExportRow.columns.count else { throw .wrongColumnCount }
        let row = ExportRow(record: record)

        orderSeq = try row.required(row.integer(.orderSeq), .orderSeq)
        hotelSeq = try row.required(row.integer(.hotelSeq), .hotelSeq)
        roomSeq = try row.required(row.integer(.roomSeq), .roomSeq)
        customerSeq = try row.required(row.integer(.customerSeq), .customerSeq)
        orderPrice = try row.required(row.amount(.orderPrice), .orderPrice)
        guard let statusText = row.value(.status) else { throw .missingField(.status) }
        guard let status = OrderStatus(rawValue: String(decoding: statusText, as: UTF8.self)) else {
            throw .unknownStatus
        }
        self.status = status
        regDate = try row.required(row.datetime(.regDate), .regDate)
        checkDate = try row.datetime(.checkDate)
        refuseDate = try row.datetime(.refuseDate)
        completeDate = try row.datetime(.completeDate)
        roomBuildingSeq = try row.integer(.roomBuildingSeq)
        roomFloorSeq = try row.integer(.roomFloorSeq)
        visitorCount = try row.amount(.visitorCount)
        adultCount = try row.amount(.visitAdultCount)
        childCount = try row.amount(.visitChildCount)
        babyCount = try row.amount(.visitBabyCount)
        checkIn = try row.datetime(.checkIn)
        checkOut = try row.datetime(.checkOut)
        checkOutExpected = try row.datetime(.checkOutExpected)
        if let checkIn, let end = checkOut ?? checkOutExpected, end < checkIn { throw .checkOutBeforeCheckIn }
        items = try OrderItem.items(contents: row.value(.contents) ?? [])
    }
}

/// Typed access to the fields of a record with the export's column count.
private struct ExportRow {
    static let columns = OrderExportColumn.allCases
    private static let backslashN: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "N")]

    let record: CSVRecord

    /// The field's bytes, or nil for a null (`\N` or empty).
    func value(_ column: OrderExportColumn) -> ArraySlice<UInt8>? {
        let bytes = record.field(Self.columns.firstIndex(of: column)!)
        return bytes.isEmpty || bytes.elementsEqual(Self.backslashN) ? nil : bytes
    }

    func required<Value>(_ value: Value?, _ column: OrderExportColumn) throws(RejectionReason) -> Value {
        guard let value else { throw .missingField(column) }
        return value
    }

    /// A decimal integer: an optional minus sign and digits, nothing else.
    func integer(_ column: OrderExportColumn) throws(RejectionReason) -> Int? {
        guard let bytes = value(column) else { return nil }
        var digits = bytes[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty else { throw .badInteger(column) }
        var magnitude = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw .badInteger(column) }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { throw .badInteger(column) }
            magnitude = sum
        }
        return negative ? -magnitude : magnitude
    }

    /// An integer that cannot be below zero: a price or a head count.
    func amount(_ column: OrderExportColumn) throws(RejectionReason) -> Int? {
        guard let number = try integer(column) else { return nil }
        guard number >= 0 else { throw .negativeValue(column) }
        return number
    }

    func datetime(_ column: OrderExportColumn) throws(RejectionReason) -> Int? {
        guard let bytes = value(column), !bytes.elementsEqual(ExportDateTime.zeroDate) else { return nil }
        guard let seconds = ExportDateTime.seconds(parsing: bytes) else { throw .badDatetime(column) }
        return seconds
    }
}
