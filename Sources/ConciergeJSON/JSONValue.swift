/// A parsed RFC 8259 JSON document: the order exports' `contents` field and `POST /recommend`'s body.
///
/// Hand-written because Foundation's `JSONDecoder` and `JSONSerialization` take 20–30 µs for a two-item
/// contents field on this machine, more than ingest spends on the whole row, SQLite included; and because
/// on Linux `JSONSerialization` answers `NSNumber`, which cannot tell the numbers 0 and 1 from booleans.
package enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// A number written as an integer (digits only) that fits `Int`.
    case integer(Int)
    /// Any other number, as written: with a fraction or an exponent, or too large for `Int`. See `wholeNumber`.
    case otherNumber(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order; duplicate keys are kept, and readers take the last, as JavaScript does.
    case object([Member])

    /// A struct rather than a tuple: arrays of tuples look up their type metadata at run time, which cost a
    /// noticeable share of ingest.
    package struct Member: Sendable {
        package var key: String
        package var value: JSONValue
    }

    package struct SyntaxError: Error {
        /// The byte where the reader gave up, from the start of the document.
        package var offset: Int
    }

    /// Parses a whole document: one value with nothing but whitespace around it.
    package init(parsing bytes: ArraySlice<UInt8>) throws(SyntaxError) {
        self = try bytes.withUnsafeBufferPointer { buffer throws(SyntaxError) in
            var parser = Parser(bytes: buffer)
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.index == buffer.count else { throw SyntaxError(offset: parser.index) }
            return value
        }
    }
}

private struct Parser {
    /// Contents nest two levels; the limit keeps a hostile `[[[[…` from exhausting the stack.
    static let maximumDepth = 64

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    private func peek() throws(JSONValue.SyntaxError) -> UInt8 {
        guard index < bytes.count else { throw JSONValue.SyntaxError(offset: index) }
        return bytes[index]
    }

    mutating func value(depth: Int) throws(JSONValue.SyntaxError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw JSONValue.SyntaxError(offset: index) }
        skipWhitespace()
        switch try peek() {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw JSONValue.SyntaxError(offset: index)
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONValue.SyntaxError) {
        let matches = word.withUTF8Buffer { expected in
            bytes.count - index >= expected.count && expected.indices.allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw JSONValue.SyntaxError(offset: index) }
        index += word.utf8CodeUnitCount
    }

    private mutating func object(depth: Int) throws(JSONValue.SyntaxError) -> JSONValue {
        index += 1
        var members: [JSONValue.Member] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw JSONValue.SyntaxError(offset: index) }
            let key = try string()
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw JSONValue.SyntaxError(offset: index) }
            index += 1
            members.append(JSONValue.Member(key: key, value: try value(depth: depth + 1)))
            skipWhitespace()
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "}") { return .object(members) }
            guard next == UInt8(ascii: ",") else { throw JSONValue.SyntaxError(offset: index - 1) }
        }
    }

    private mutating func array(depth: Int) throws(JSONValue.SyntaxError) -> JSONValue {
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "]") { return .array(elements) }
            guard next == UInt8(ascii: ",") else { throw JSONValue.SyntaxError(offset: index - 1) }
        }
    }

    private mutating func number() throws(JSONValue.SyntaxError) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        func isDigit(_ position: Int) -> Bool {
            position < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position])
        }
        guard isDigit(index) else { throw JSONValue.SyntaxError(offset: index) }
        var integer = 0
        var overflowed = false
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(index) {
                if let next = integer.appendingDecimalDigit(Int(bytes[index] - UInt8(ascii: "0")), negative: negative) {
                    integer = next
                } else {
                    overflowed = true
                }
                index += 1
            }
        }
        var integral = !overflowed
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { throw JSONValue.SyntaxError(offset: index) }
            while isDigit(index) { index += 1 }
            integral = false
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard isDigit(index) else { throw JSONValue.SyntaxError(offset: index) }
            while isDigit(index) { index += 1 }
            integral = false
        }
        if integral { return .integer(integer) }
        return .otherNumber(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    private mutating func string() throws(JSONValue.SyntaxError) -> String {
        index += 1
        let start = index
        // Most strings have no escapes and are validated straight from the input.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return try validated(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw JSONValue.SyntaxError(offset: index) }
            index += 1
        }
        var decoded = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while true {
            let byte = try peek()
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return try decoded.withUnsafeBufferPointer { buffer throws(JSONValue.SyntaxError) in
                    try validated(buffer)
                }
            case UInt8(ascii: "\\"):
                let escape = try peek()
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"): UTF8.encode(try escapedScalar()) { decoded.append($0) }
                default: throw JSONValue.SyntaxError(offset: index)
                }
            default:
                guard byte >= 0x20 else { throw JSONValue.SyntaxError(offset: index) }
                decoded.append(byte)
            }
        }
    }

    private func validated(_ utf8: UnsafeBufferPointer<UInt8>) throws(JSONValue.SyntaxError) -> String {
        guard let string = String(validating: utf8, as: UTF8.self) else { throw JSONValue.SyntaxError(offset: index) }
        return string
    }

    /// The scalar of a `\uXXXX` escape (the `\u` already read), joining a UTF-16 surrogate pair.
    private mutating func escapedScalar() throws(JSONValue.SyntaxError) -> Unicode.Scalar {
        let first = try hexQuad()
        if (0xD800..<0xDC00).contains(first) {
            guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw JSONValue.SyntaxError(offset: index) }
            index += 2
            let second = try hexQuad()
            guard (0xDC00..<0xE000).contains(second) else { throw JSONValue.SyntaxError(offset: index) }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
        }
        guard let scalar = Unicode.Scalar(first) else { throw JSONValue.SyntaxError(offset: index) }
        return scalar
    }

    private mutating func hexQuad() throws(JSONValue.SyntaxError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw JSONValue.SyntaxError(offset: index) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONValue.SyntaxError(offset: index)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
