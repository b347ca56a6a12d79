/// The decoded `name=value` pairs of a query string, in order, repeats kept.
public struct QueryItems: Sendable, Equatable, Sequence {
    public struct Item: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    private(set) var items: [Item]

    init(_ items: [Item] = []) {
        self.items = items
    }

    /// The first value given for `name`.
    public subscript(_ name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    public func values(for name: String) -> [String] {
        items.filter { $0.name == name }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[Item]> { items.makeIterator() }

    /// Parses `application/x-www-form-urlencoded` as browsers and curl send it:
    /// `+` is a space, `%XX` is a byte, and the bytes must be UTF-8.
    init(parsing query: some Collection<UInt8>) throws(PercentDecodingError) {
        let parsed = Array(query).withUnsafeBufferPointer { bytes -> Result<QueryItems, PercentDecodingError> in
            do throws(PercentDecodingError) {
                return .success(try QueryItems(parsing: bytes))
            } catch {
                return .failure(error)
            }
        }
        self = try parsed.get()
    }

    init(parsing query: UnsafeBufferPointer<UInt8>) throws(PercentDecodingError) {
        var items: [Item] = []
        // One allocation for all the pairs rather than one per doubling.
        var ampersands = 0
        for byte in query where byte == UInt8(ascii: "&") { ampersands += 1 }
        items.reserveCapacity(ampersands + 1)
        var pairStart = 0
        while pairStart <= query.count {
            let pairEnd = query[pairStart...].firstIndex(of: UInt8(ascii: "&")) ?? query.count
            if pairEnd > pairStart {
                let pair = query[pairStart..<pairEnd]
                let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pairEnd
                let valueStart = Swift.min(equals + 1, pairEnd)
                items.append(
                    Item(
                        name: try PercentDecoding.decode(
                            UnsafeBufferPointer(rebasing: query[pairStart..<equals]), plusIsSpace: true),
                        value: try PercentDecoding.decode(
                            UnsafeBufferPointer(rebasing: query[valueStart..<pairEnd]), plusIsSpace: true)))
            }
            pairStart = pairEnd + 1
        }
        self.items = items
    }
}

struct PercentDecodingError: Error, Sendable, Equatable {
    var message: String
}

enum PercentDecoding {
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) throws(PercentDecodingError) -> String {
        // One scan answers both questions: is there anything to decode, and is it all ASCII.
        var union: UInt8 = 0
        var escaped = false
        for byte in bytes {
            union |= byte
            escaped = escaped || byte == UInt8(ascii: "%") || (plusIsSpace && byte == UInt8(ascii: "+"))
        }
        if !escaped {
            return union < 0x80 ? String(decoding: bytes, as: UTF8.self) : try utf8String(bytes)
        }
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
