/// Turns a `SampleWorld` into the operator's CSV: the header, one row per order in `order_seq` order, the
/// quirks real exports have, and about 1.5% of rows broken on purpose, each in a way ingest must name.
struct SampleExportWriter {
    let world: SampleWorld

    private enum Breakage: CaseIterable {
        case wrongColumnCount, badOrderPrice, negativeOrderPrice, badRegDate, unknownStatus, missingCustomerSeq,
            checkOutBeforeCheckIn, emptyContents, contentsNotJSON, contentsNotObjectOrArray, itemWithoutItemSeq,
            itemCountAsText, duplicateRow, itemOfAnotherHotel

        var reason: RejectionReason {
            switch self {
            case .wrongColumnCount: .wrongColumnCount
            case .badOrderPrice: .badInteger(.orderPrice)
            case .negativeOrderPrice: .negativeValue(.orderPrice)
            case .badRegDate: .badDatetime(.regDate)
            case .unknownStatus: .unknownStatus
            case .missingCustomerSeq: .missingField(.customerSeq)
            case .checkOutBeforeCheckIn: .checkOutBeforeCheckIn
            case .emptyContents: .emptyContents
            case .contentsNotJSON: .contentsNotJSON
            case .contentsNotObjectOrArray: .contentsNotObjectOrArray
            case .itemWithoutItemSeq: .itemMissingField(.itemSeq)
            case .itemCountAsText: .itemBadValue(.count)
            case .duplicateRow: .duplicateInFile
            case .itemOfAnotherHotel: .itemHotelConflict
            }
        }
    }

    private static let brokenShare = 0.015
    private static let lineFeed = UInt8(ascii: "\n")

    func write(to output: OutputFile, random: inout SampleRandom) throws(FileAccessError) -> SampleExportSummary {
        var summary = SampleExportSummary()
        summary.hotels = world.hotels.count
        summary.menuItems = world.hotels.reduce(0) { $0 + $1.menu.count }
        try output.append(OrderExportColumn.allCases.map(\.rawValue).joined(separator: ",").utf8)
        try output.append(CollectionOfOne(Self.lineFeed))

        var line = 2
        var nextBreakage = 0
        // A uniformly drawn earlier valid row (reservoir sampling), for a duplicate to copy.
        var duplicateSource: [UInt8]?
        var validRows = 0
        // Items that valid rows have placed on each hotel's menu, for a row to borrow from the wrong hotel.
        var seenItems = world.hotels.map { _ in [Int]() }
        var itemSeen = world.hotels.map { [Bool](repeating: false, count: $0.menu.count) }
        var guestHasOrders = [Bool](repeating: false, count: world.guests.count)
        var guestReturned = [Bool](repeating: false, count: world.guests.count)

        for order in world.orders {
            let stay = world.stays[order.stay]
            var breakage: Breakage?
            if random.chance(Self.brokenShare) {
                // Round-robin over the kinds, so even a small file has each; skip kinds with nothing to work on yet.
                for attempt in 0..<Breakage.allCases.count {
                    let index = (nextBreakage + attempt) % Breakage.allCases.count
                    let candidate = Breakage.allCases[index]
                    let possible =
                        switch candidate {
                        case .duplicateRow: duplicateSource != nil
                        case .itemOfAnotherHotel:
                            seenItems.indices.contains { $0 != stay.hotel && !seenItems[$0].isEmpty }
                        default: true
                        }
                    if possible {
                        breakage = candidate
                        nextBreakage = index + 1
                        break
                    }
                }
            }

            let row: [UInt8]
            if breakage == .duplicateRow, let duplicateSource {
                row = duplicateSource
            } else {
                var foreignItem: SampleWorld.MenuItem?
                if breakage == .itemOfAnotherHotel {
                    let hotels = seenItems.indices.filter { $0 != stay.hotel && !seenItems[$0].isEmpty }
                    let hotel = random.element(of: hotels)
                    foreignItem = world.hotels[hotel].menu[random.element(of: seenItems[hotel])]
                }
                var rowWriter = RowWriter(world: world)
                rowWriter.write(order, breakage: breakage, foreignItem: foreignItem, random: &random)
                row = rowWriter.bytes
                if breakage == nil {
                    rowWriter.count(into: &summary)
                    summary.orderLines += order.lines.count
                    summary.ordersByStatus[order.status, default: 0] += 1
                    if rowWriter.orderPrice == 0 { summary.freeOrders += 1 }
                    let menu = world.hotels[stay.hotel].menu
                    for orderLine in order.lines {
                        if menu[orderLine.menuIndex].price == 0 { summary.freeItemLines += 1 }
                        summary.freeUnits += orderLine.freeCount ?? 0
                        if orderLine.freeCount == nil { summary.linesWithoutFreeCount += 1 }
                        if orderLine.completePeriod == nil { summary.linesWithoutCompletePeriod += 1 }
                        if !itemSeen[stay.hotel][orderLine.menuIndex] {
                            itemSeen[stay.hotel][orderLine.menuIndex] = true
                            seenItems[stay.hotel].append(orderLine.menuIndex)
                        }
                    }
                    guestHasOrders[stay.guest] = true
                    if stay.isReturn { guestReturned[stay.guest] = true }
                    validRows += 1
                    if random.below(validRows) == 0 { duplicateSource = row }
                }
            }
            try output.append(row)
            try output.append(CollectionOfOne(Self.lineFeed))
            if let breakage { summary.brokenRows.append(.init(line: line, reason: breakage.reason)) }
            summary.rows += 1
            line += 1 + row.reduce(0) { $0 + ($1 == Self.lineFeed ? 1 : 0) }
        }
        summary.guestsWithOrders = guestHasOrders.reduce(0) { $0 + ($1 ? 1 : 0) }
        summary.returningGuests = guestReturned.reduce(0) { $0 + ($1 ? 1 : 0) }
        return summary
    }

    /// Writes one row, without its line break, and remembers which quirks it has.
    private struct RowWriter {
        let world: SampleWorld
        var bytes: [UInt8] = []
        var orderPrice = 0
        private var quirks = SampleExportSummary()

        init(world: SampleWorld) {
            self.world = world
            bytes.reserveCapacity(1024)
        }

        func count(into summary: inout SampleExportSummary) {
            summary.singleObjectContents += quirks.singleObjectContents
            summary.multiLineContents += quirks.multiLineContents
            summary.strayWhitespaceContents += quirks.strayWhitespaceContents
            summary.escapedContents += quirks.escapedContents
            summary.backslashNNulls += quirks.backslashNNulls
            summary.emptyNulls += quirks.emptyNulls
        }

        mutating func write(
            _ order: SampleWorld.Order, breakage: Breakage?, foreignItem: SampleWorld.MenuItem?,
            random: inout SampleRandom
        ) {
            let stay = world.stays[order.stay]
            let guest = world.guests[stay.guest]
            let hotel = world.hotels[stay.hotel]
            var items = order.lines.map { (item: hotel.menu[$0.menuIndex], line: $0) }
            if let foreignItem { items[0].item = foreignItem }
            orderPrice = items.reduce(0) { $0 + $1.item.price * ($1.line.count - ($1.line.freeCount ?? 0)) }
            let shownCheckOut = stay.checkOut <= world.exportEnd ? stay.checkOut : nil

            integer(order.orderSeq)
            integer(hotel.seq)
            integer(stay.roomSeq)
            if breakage == .missingCustomerSeq { null(random: &random) } else { integer(guest.customerSeq) }
            switch breakage {
            case .badOrderPrice: text("₩" + orderPrice.formatted(groupingBy: ","))
            case .negativeOrderPrice: integer(-max(orderPrice, 1000))
            default: integer(orderPrice)
            }
            text(breakage == .unknownStatus ? "DONE" : order.status.rawValue)
            quoted(contents(items, breakage: breakage, random: &random))
            if breakage == .badRegDate {
                var date: [UInt8] = []
                ExportDateTime.append(order.regDate, to: &date)
                field(date.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "/") : $0 })
            } else {
                datetime(order.regDate, random: &random)
            }
            datetime(order.checkDate, random: &random)
            datetime(order.refuseDate, random: &random)
            datetime(order.completeDate, random: &random)
            if random.chance(0.08) { null(random: &random) } else { integer(stay.roomBuildingSeq) }
            if random.chance(0.05) { null(random: &random) } else { integer(stay.roomFloorSeq) }
            if breakage != .wrongColumnCount { text(stay.roomName) }
            text(guest.name)
            integer(guest.adults + guest.children + guest.babies)
            integer(guest.adults)
            integer(guest.children)
            if random.chance(0.03) { null(random: &random) } else { integer(guest.babies) }
            if breakage == .checkOutBeforeCheckIn {
                datetime((shownCheckOut ?? stay.checkOutExpected) + ExportDateTime.secondsPerDay, random: &random)
            } else {
                datetime(stay.checkIn, random: &random)
            }
            datetime(shownCheckOut, random: &random)
            datetime(stay.checkOutExpected, random: &random)
        }

        // MARK: Fields

        private mutating func field(_ value: some Sequence<UInt8>) {
            if !bytes.isEmpty { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: value)
        }

        private mutating func integer(_ value: Int) { field(String(value).utf8) }

        /// Quoted only when it has to be, as MariaDB's `OPTIONALLY ENCLOSED BY` does.
        private mutating func text(_ value: String) {
            let utf8 = Array(value.utf8)
            let needsQuotes = utf8.contains {
                $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n")
                    || $0 == UInt8(ascii: "\r")
            }
            if needsQuotes { quoted(utf8) } else { field(utf8) }
        }

        private mutating func quoted(_ value: [UInt8]) {
            var escaped: [UInt8] = [UInt8(ascii: "\"")]
            for byte in value {
                escaped.append(byte)
                if byte == UInt8(ascii: "\"") { escaped.append(byte) }
            }
            escaped.append(UInt8(ascii: "\""))
            field(escaped)
        }

        /// Mostly MariaDB's `\N`, sometimes an empty field: exports made by other tools mix them.
        private mutating func null(random: inout SampleRandom) {
            if random.chance(0.85) {
                field(#"\N"#.utf8)
                quirks.backslashNNulls += 1
            } else {
                field(EmptyCollection())
                quirks.emptyNulls += 1
            }
        }

        private mutating func datetime(_ value: Int?, random: inout SampleRandom) {
            guard let value else { return null(random: &random) }
            var text: [UInt8] = []
            ExportDateTime.append(value, to: &text)
            field(text)
        }

        // MARK: Contents

        private mutating func contents(
            _ items: [(item: SampleWorld.MenuItem, line: SampleWorld.Line)], breakage: Breakage?,
            random: inout SampleRandom
        ) -> [UInt8] {
            switch breakage {
            case .emptyContents:
                return []
            case .contentsNotObjectOrArray:
                return Array("[\(items.map { String($0.item.itemSeq) }.joined(separator: ", "))]".utf8)
            default:
                break
            }
            let layout: ContentsJSON.Layout
            switch random.unit() {
            case ..<0.03:
                layout = .multiLine
                quirks.multiLineContents += 1
            case ..<0.06:
                layout = .strayWhitespace
                quirks.strayWhitespaceContents += 1
            default:
                layout = .compact
            }
            // Python's json.dumps escapes non-ASCII unless told not to; some of the operator's rows went through it.
            let escapeNonASCII = random.chance(0.1)
            if escapeNonASCII { quirks.escapedContents += 1 }
            let singleObject = items.count == 1 && random.chance(0.3)
            if singleObject { quirks.singleObjectContents += 1 }

            var json = ContentsJSON(layout: layout, escapeNonASCII: escapeNonASCII)
            let objects = items.enumerated().map { position, entry in
                var members: [(String, ContentsJSON.Value)] = [
                    ("orderType", .string(entry.item.department.orderType)),
                    ("itemSeq", .integer(entry.item.itemSeq)),
                    (
                        "count",
                        breakage == .itemCountAsText && position == 0
                            ? .string(String(entry.line.count)) : .integer(entry.line.count)
                    ),
                    ("itemName", .string(entry.item.name)),
                    ("departmentSeq", .integer(entry.item.departmentSeq)),
                    ("price", .integer(entry.item.price)),
                    ("waitingPeriod", .integer(entry.line.waitingPeriod)),
                    ("delayPeriod", .integer(entry.line.delayPeriod)),
                ]
                if let freeCount = entry.line.freeCount { members.append(("freeCount", .integer(freeCount))) }
                members.append(("couponSeq", entry.line.couponSeq.map { .integer($0) } ?? .null))
                members.append(
                    ("resultPrice", .integer(entry.item.price * (entry.line.count - (entry.line.freeCount ?? 0)))))
                if let completePeriod = entry.line.completePeriod {
                    members.append(("completePeriod", .integer(completePeriod)))
                }
                if breakage == .itemWithoutItemSeq && position == 0 { members.removeAll { $0.0 == "itemSeq" } }
                return members
            }
            if singleObject {
                json.object(objects[0], random: &random)
            } else {
                json.array(objects, random: &random)
            }
            guard breakage == .contentsNotJSON else { return json.bytes }
            // Cut before an ASCII byte past the middle, so the text stays valid UTF-8 but loses its closing bracket.
            let cut = json.bytes[(json.bytes.count / 2)...].firstIndex { $0 < 0x80 } ?? json.bytes.count - 1
            return Array(json.bytes[..<cut])
        }
    }

    /// The JSON of an order's contents, laid out as the operator's rows are.
    private struct ContentsJSON {
        enum Layout {
            /// `json.dumps` defaults: `", "` and `": "`.
            case compact
            /// `json.dumps(indent=2)`.
            case multiLine
            /// Compact, with tabs, spaces and CR/LF strewn between tokens.
            case strayWhitespace
        }

        enum Value {
            case integer(Int)
            case string(String)
            case null
        }

        private enum Gap { case afterOpen, beforeClose, afterComma, afterColon }

        let layout: Layout
        let escapeNonASCII: Bool
        var bytes: [UInt8] = []
        private var depth = 0

        init(layout: Layout, escapeNonASCII: Bool) {
            self.layout = layout
            self.escapeNonASCII = escapeNonASCII
        }

        mutating func array(_ objects: [[(String, Value)]], random: inout SampleRandom) {
            open(UInt8(ascii: "["), random: &random)
            for (index, members) in objects.enumerated() {
                if index > 0 { comma(random: &random) }
                object(members, random: &random)
            }
            close(UInt8(ascii: "]"), random: &random)
        }

        mutating func object(_ members: [(String, Value)], random: inout SampleRandom) {
            open(UInt8(ascii: "{"), random: &random)
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { comma(random: &random) }
                string(key)
                bytes.append(UInt8(ascii: ":"))
                gap(.afterColon, random: &random)
                switch value {
                case .integer(let number): bytes.append(contentsOf: String(number).utf8)
                case .string(let text): string(text)
                case .null: bytes.append(contentsOf: "null".utf8)
                }
            }
            close(UInt8(ascii: "}"), random: &random)
        }

        private mutating func open(_ bracket: UInt8, random: inout SampleRandom) {
            bytes.append(bracket)
            depth += 1
            gap(.afterOpen, random: &random)
        }

        private mutating func close(_ bracket: UInt8, random: inout SampleRandom) {
            depth -= 1
            gap(.beforeClose, random: &random)
            bytes.append(bracket)
        }

        private mutating func comma(random: inout SampleRandom) {
            bytes.append(UInt8(ascii: ","))
            gap(.afterComma, random: &random)
        }

        private mutating func gap(_ gap: Gap, random: inout SampleRandom) {
            switch layout {
            case .compact, .strayWhitespace:
                if gap == .afterComma || gap == .afterColon { bytes.append(UInt8(ascii: " ")) }
                if layout == .strayWhitespace && random.chance(0.3) {
                    bytes.append(contentsOf: random.element(of: ["\t", "  ", "\r\n", "\n", " \t", "\r\n\t"]).utf8)
                }
            case .multiLine:
                if gap == .afterColon {
                    bytes.append(UInt8(ascii: " "))
                } else {
                    bytes.append(UInt8(ascii: "\n"))
                    bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
                }
            }
        }

        private mutating func string(_ text: String) {
            let hexDigits = Array("0123456789abcdef".utf8)
            bytes.append(UInt8(ascii: "\""))
            for scalar in text.unicodeScalars {
                if scalar == "\"" || scalar == "\\" {
                    bytes.append(UInt8(ascii: "\\"))
                    bytes.append(UInt8(scalar.value))
                } else if scalar.isASCII {
                    bytes.append(UInt8(scalar.value))
                } else if escapeNonASCII {
                    UTF16.encode(scalar) { unit in
                        bytes.append(contentsOf: #"\u"#.utf8)
                        for shift in stride(from: 12, through: 0, by: -4) {
                            bytes.append(hexDigits[Int(unit >> shift) & 0xF])
                        }
                    }
                } else {
                    UTF8.encode(scalar) { bytes.append($0) }
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }
}

extension Int {
    /// `1234567` → `1,234,567`.
    fileprivate func formatted(groupingBy separator: String) -> String {
        let digits = String(magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += separator }
            grouped.append(digit)
        }
        return (self < 0 ? "-" : "") + grouped
    }
}
