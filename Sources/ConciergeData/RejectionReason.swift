/// Why a row of an export went to quarantine instead of the store. `code` and `field` are written to the
/// quarantine file, so they are part of its format: add cases, never rename them.
public enum RejectionReason: Error, Hashable, Sendable, CustomStringConvertible {
    /// A quote inside an unquoted field, or text between a closing quote and the next comma.
    case malformedQuotes
    /// The file ended inside a quoted field.
    case unterminatedQuote
    case wrongColumnCount
    /// A column that every order has is `\N` or empty.
    case missingField(OrderExportColumn)
    case badInteger(OrderExportColumn)
    /// A price or a head count below zero.
    case negativeValue(OrderExportColumn)
    case badDatetime(OrderExportColumn)
    case unknownStatus
    /// `check_out` (or `check_out_expected` when there is no `check_out`) is before `check_in`.
    case checkOutBeforeCheckIn
    /// `contents` is null, blank or `[]`: an order of nothing.
    case emptyContents
    case contentsNotJSON
    /// Valid JSON, but neither an object nor an array of objects.
    case contentsNotObjectOrArray
    case itemMissingField(OrderContentsField)
    /// Of the wrong JSON type, a fraction, below zero, a `count` below one or a `freeCount` above `count`.
    case itemBadValue(OrderContentsField)
    /// An earlier valid row of the same file has this `order_seq`.
    case duplicateInFile
    /// The store holds this `order_seq` with different content.
    case conflictWithStore
    /// An `itemSeq` the store, or an earlier row of the file, places on another hotel's menu.
    case itemHotelConflict

    public var code: String {
        switch self {
        case .malformedQuotes: "malformed_quotes"
        case .unterminatedQuote: "unterminated_quote"
        case .wrongColumnCount: "wrong_column_count"
        case .missingField: "missing_field"
        case .badInteger: "bad_integer"
        case .negativeValue: "negative_value"
        case .badDatetime: "bad_datetime"
        case .unknownStatus: "unknown_status"
        case .checkOutBeforeCheckIn: "check_out_before_check_in"
        case .emptyContents: "empty_contents"
        case .contentsNotJSON: "contents_not_json"
        case .contentsNotObjectOrArray: "contents_not_object_or_array"
        case .itemMissingField: "item_missing_field"
        case .itemBadValue: "item_bad_value"
        case .duplicateInFile: "duplicate_in_file"
        case .conflictWithStore: "conflict_with_store"
        case .itemHotelConflict: "item_hotel_conflict"
        }
    }

    /// The export column or contents key at fault, when there is one.
    public var field: String? {
        switch self {
        case .missingField(let column), .badInteger(let column), .negativeValue(let column), .badDatetime(let column):
            column.rawValue
        case .itemMissingField(let field), .itemBadValue(let field):
            field.rawValue
        case .malformedQuotes, .unterminatedQuote, .wrongColumnCount, .unknownStatus, .checkOutBeforeCheckIn,
            .emptyContents, .contentsNotJSON, .contentsNotObjectOrArray, .duplicateInFile, .conflictWithStore,
            .itemHotelConflict:
            nil
        }
    }

    /// `code(field)`, or `code` alone.
    public var description: String { field.map { "\(code)(\($0))" } ?? code }
}
