import ConciergeJSON

/// One ordered item of an order's `contents`.
struct OrderItem: Equatable, Sendable {
    var orderType: String?
    var itemSeq: Int
    var count: Int
    var itemName: String
    var departmentSeq: Int
    /// Unit price in KRW; 0 for a free item.
    var price: Int
    /// Minutes.
    var waitingPeriod: Int?
    var delayPeriod: Int?
    /// Units given free of the `count` ordered; a missing `freeCount` means none.
    var freeCount: Int
    var couponSeq: Int?
    var resultPrice: Int?
    /// Minutes; nil when the export left it out, and the store fills in the median.
    var completePeriod: Int?
}

extension OrderItem {
    /// The items of a `contents` field: a JSON array of item objects, or a single item object.
    static func items(contents: ArraySlice<UInt8>) throws(RejectionReason) -> [OrderItem] {
        guard contents.contains(where: { !isJSONWhitespace($0) }) else { throw .emptyContents }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: contents)
        } catch {
            throw .contentsNotJSON
        }
        switch document {
        case .object(let members):
            return [try OrderItem(members: members)]
        case .array(let elements):
            guard !elements.isEmpty else { throw .emptyContents }
            return try elements.map { element throws(RejectionReason) in
                guard case .object(let members) = element else { throw .contentsNotObjectOrArray }
                return try OrderItem(members: members)
            }
        case .null:
            throw .emptyContents
        case .bool, .integer, .otherNumber, .string:
            throw .contentsNotObjectOrArray
        }
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }

    init(members: [JSONValue.Member]) throws(RejectionReason) {
        func value(_ field: OrderContentsField) -> JSONValue? {
            members.last { $0.key == field.rawValue }?.value
        }
        // JSON null is treated as absent, like `\N` in the CSV.
        func integer(_ field: OrderContentsField, minimum: Int = 0) throws(RejectionReason) -> Int? {
            switch value(field) {
            case nil, .null?: return nil
            case .integer(let number)? where number >= minimum: return number
            default: throw .itemBadValue(field)
            }
        }
        func required(_ field: OrderContentsField, minimum: Int = 0) throws(RejectionReason) -> Int {
            guard let number = try integer(field, minimum: minimum) else { throw .itemMissingField(field) }
            return number
        }
        func string(_ field: OrderContentsField) throws(RejectionReason) -> String? {
            switch value(field) {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw .itemBadValue(field)
            }
        }

        itemSeq = try required(.itemSeq)
        count = try required(.count, minimum: 1)
        guard let name = try string(.itemName) else { throw .itemMissingField(.itemName) }
        guard !name.isEmpty else { throw .itemBadValue(.itemName) }
        itemName = name
        departmentSeq = try required(.departmentSeq)
        price = try required(.price)
        orderType = try string(.orderType)
        waitingPeriod = try integer(.waitingPeriod)
        delayPeriod = try integer(.delayPeriod)
        freeCount = try integer(.freeCount) ?? 0
        guard freeCount <= count else { throw .itemBadValue(.freeCount) }
        couponSeq = try integer(.couponSeq)
        resultPrice = try integer(.resultPrice)
        completePeriod = try integer(.completePeriod)
    }
}
