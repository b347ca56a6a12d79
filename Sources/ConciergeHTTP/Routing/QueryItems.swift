#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// The decoded `name=value` pairs of a query string, in order, repeats kept.
///
/// A query with nothing to decode (no `%XX`, no `+`, all ASCII: what clients send for ids and numbers) is kept as
/// the text it arrived in. `forEachPair(_:)` hands its pairs over as bytes, so that a route on the hot path (as
/// `/recommend` is) compares names and reads numbers without making a `String` for each, which costs about 260
/// instructions even when it is short. Any other query is decoded, and checked, as it is parsed.
public struct QueryItems: Sendable, Sequence {
    public struct Item: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// A pair as bytes, decoded; the buffers are valid only inside the `forEachPair(_:)` call that lends them.
    public struct Pair {
        public let name: UnsafeBufferPointer<UInt8>
        public let value: UnsafeBufferPointer<UInt8>

        public func hasName(_ expected: StaticString) -> Bool {
            name.count == expected.utf8CodeUnitCount
                && (name.isEmpty || memcmp(name.baseAddress!, expected.utf8Start, name.count) == 0)
        }

        public var nameString: String { Self.string(name) }
        public var valueString: String { Self.string(value) }

        /// Bytes that are UTF-8, as their `String`: a plain query's are ASCII, a decoded one's were checked.
        fileprivate static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            // Copied into the new string and checked there (invalid UTF-8 repaired, as `String(decoding:as:)` does,
            // which cost about 60 instructions more a value).
            String(unsafeUninitializedCapacity: bytes.count) { $0.initialize(fromContentsOf: bytes) }
        }

        /// The value as `Int(valueString)` reads it: an optional sign and decimal digits, nil when it is anything
        /// else or does not fit.
        public var integerValue: Int? {
            guard let first = value.first else { return nil }
            let negative = first == UInt8(ascii: "-")
            let digits = negative || first == UInt8(ascii: "+") ? value.dropFirst() : value[...]
            guard !digits.isEmpty else { return nil }
            // Accumulated on the side of the sign, so that Int.min, whose magnitude is no Int, reads too.
            var result = 0
            for byte in digits {
                let digit = Int(byte) &- Int(UInt8(ascii: "0"))
                guard 0 <= digit && digit <= 9 else { return nil }
                let (shifted, shiftOverflow) = result.multipliedReportingOverflow(by: 10)
                let (next, addOverflow) =
                    negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                guard !shiftOverflow && !addOverflow else { return nil }
                result = next
            }
            return result
        }
    }

    // Two stored forms rather than an enum of them: copying the enum (as every request is copied a few times on
    // its way to a route) cost an outlined copy function; these fields cost a retain or two.
    /// A plain query: `text`'s UTF-8 from `plainStart` to its end, with nothing in it to decode. Nil for any other.
    private let text: String
    private let plainStart: Int?
    /// A query that had something to decode, decoded; nil (which, unlike an empty array, takes no retain to copy)
    /// for any other.
    private let decoded: [Item]?

    init() {
        self.init(text: "", plainStart: nil, decoded: nil)
    }

    private init(text: String, plainStart: Int?, decoded: [Item]?) {
        self.text = text
        self.plainStart = plainStart
        self.decoded = decoded
    }

    /// The first value given for `name`.
    public subscript(_ name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    public func values(for name: String) -> [String] {
        items.filter { $0.name == name }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[Item]> { items.makeIterator() }

    var items: [Item] {
        guard let plainStart else { return decoded ?? [] }
        var items: [Item] = []
        var text = text
        text.withUTF8 { bytes in
            _ = Self.firstStop(inPairsOf: UnsafeBufferPointer(rebasing: bytes[plainStart...])) {
                name, value -> Never? in
                items.append(Item(name: Pair.string(name), value: Pair.string(value)))
                return nil
            }
        }
        return items
    }

    /// Calls `body` with each pair, in order, empty pairs (`&&`) left out; stops at the first error it throws.
    /// Not generic over the error: a generic function of another module runs unspecialised, with type metadata
    /// looked up at run time.
    public func forEachPair(_ body: (Pair) throws(HTTPError) -> Void) throws(HTTPError) {
        // `withUTF8` rethrows untyped, so the error is returned out of it, not thrown; and not kept in a variable
        // the closure captures, whose every write would be checked for exclusive access at run time.
        func lend(_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> HTTPError? {
            do throws(HTTPError) {
                try body(Pair(name: name, value: value))
                return nil
            } catch {
                return error
            }
        }
        if let plainStart {
            var text = text
            let failure = text.withUTF8 { bytes in
                Self.firstStop(inPairsOf: UnsafeBufferPointer(rebasing: bytes[plainStart...]), lend)
            }
            if let failure { throw failure }
        }
        for item in decoded ?? [] {
            var name = item.name
            var value = item.value
            if let failure = name.withUTF8({ name in value.withUTF8 { value in lend(name, value) } }) {
                throw failure
            }
        }
    }

    /// Calls `body` with the raw `name=value` pairs of `query`, in order, empty ones left out, until it returns a
    /// stop, which it returns. A pair ends at `&` or at the end, and its name at its first `=`; both are found
    /// eight bytes at a time.
    @inline(__always)
    private static func firstStop<Stop>(
        inPairsOf query: UnsafeBufferPointer<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Stop?
    ) -> Stop? {
        guard let base = query.baseAddress else { return nil }
        var pairStart = 0
        while pairStart < query.count {
            let pairEnd = ByteScan.first(UInt8(ascii: "&"), in: query, from: pairStart, to: query.count)
            if pairEnd > pairStart {
                let nameEnd = ByteScan.first(UInt8(ascii: "="), in: query, from: pairStart, to: pairEnd)
                let valueStart = nameEnd < pairEnd ? nameEnd + 1 : pairEnd
                let stop = body(
                    UnsafeBufferPointer(start: base + pairStart, count: nameEnd - pairStart),
                    UnsafeBufferPointer(start: base + valueStart, count: pairEnd - valueStart))
                if let stop { return stop }
            }
            pairStart = pairEnd + 1
        }
        return nil
    }

    /// Parses `application/x-www-form-urlencoded` as browsers and curl send it:
    /// `+` is a space, `%XX` is a byte, and the bytes must be UTF-8.
    init(parsing query: some Collection<UInt8>) throws(PercentDecodingError) {
        let parsed = Array(query).withUnsafeBufferPointer { bytes -> Result<QueryItems, PercentDecodingError> in
            do throws(PercentDecodingError) {
                return .success(try QueryItems(parsing: bytes, of: String(decoding: bytes, as: UTF8.self), at: 0))
            } catch {
                return .failure(error)
            }
        }
        self = try parsed.get()
    }

    /// Parses `query`, which is `text`'s UTF-8 from `offset` to its end: the request target it came from, kept
    /// rather than copied when there is nothing to decode.
    init(parsing query: UnsafeBufferPointer<UInt8>, of text: String, at offset: Int) throws(PercentDecodingError) {
        if ByteScan.isPlain(query, plusIsSpace: true) {
            self.init(text: text, plainStart: offset, decoded: nil)
            return
        }
        var items: [Item] = []
        let failure = Self.firstStop(inPairsOf: query) { name, value -> PercentDecodingError? in
            do throws(PercentDecodingError) {
                items.append(
                    Item(
                        name: try PercentDecoding.decode(name, plusIsSpace: true),
                        value: try PercentDecoding.decode(value, plusIsSpace: true)))
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        self.init(text: "", plainStart: nil, decoded: items)
    }
}

struct PercentDecodingError: Error, Sendable, Equatable {
    var message: String
}

enum PercentDecoding {
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) throws(PercentDecodingError) -> String {
        if ByteScan.isPlain(bytes, plusIsSpace: plusIsSpace) { return String(decoding: bytes, as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
                    let low = hexValue(bytes[index + 2])
                else {
                    throw PercentDecodingError(message: "a '%' is not followed by two hex digits")
                }
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return try decoded.withUnsafeBufferPointer { buffer throws(PercentDecodingError) in try utf8String(buffer) }
    }

    private static func utf8String(_ bytes: UnsafeBufferPointer<UInt8>) throws(PercentDecodingError) -> String {
        if let ascii = String(ascii: bytes) { return ascii }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw PercentDecodingError(message: "the decoded bytes are not UTF-8")
        }
        return string
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
