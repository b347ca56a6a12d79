/// One record of an RFC 4180 CSV file: its unquoted fields, the physical line it starts on, and its bytes
/// exactly as they stood in the file (quotes, inner line breaks and all, without the line break that ends it).
struct CSVRecord: Sendable {
    enum Quoting: Sendable, Equatable {
        case wellFormed
        /// A quote inside an unquoted field, or something other than a comma or line break after a closing quote.
        case malformed
        /// The file ended inside a quoted field.
        case unterminated
    }

    /// 1-based line of the file on which the record starts.
    var line: Int
    var raw: [UInt8]
    var quoting: Quoting
    /// All fields' unquoted bytes back to back; field `i` ends at `fieldEnds[i]`.
    private var fieldBytes: [UInt8]
    private var fieldEnds: [Int]

    init(line: Int, raw: [UInt8], quoting: Quoting, fieldBytes: [UInt8], fieldEnds: [Int]) {
        self.line = line
        self.raw = raw
        self.quoting = quoting
        self.fieldBytes = fieldBytes
        self.fieldEnds = fieldEnds
    }

    var fieldCount: Int { fieldEnds.count }

    func field(_ index: Int) -> ArraySlice<UInt8> {
        fieldBytes[(index == 0 ? 0 : fieldEnds[index - 1])..<fieldEnds[index]]
    }
}
