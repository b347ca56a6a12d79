/// The decoded `name=value` pairs of a query string, in order, repeats kept.
public struct QueryItems: Sendable, Equatable, Sequence {
    public struct Item: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public private(set) var items: [Item]

    public init(_ items: [Item] = []) {
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
    public init(parsing query: some Collection<UInt8>) throws(PercentDecodingError) {
        var items: [Item] = []
        for pair in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let name = equals.map { pair[pair.startIndex..<$0] } ?? pair[...]
            let value = equals.map { pair[pair.index(after: $0)...] } ?? pair[pair.endIndex...]
            items.append(
                Item(
                    name: try PercentDecoding.decode(name, plusIsSpace: true),
                    value: try PercentDecoding.decode(value, plusIsSpace: true)))
        }
        self.items = items
    }
}

public struct PercentDecodingError: Error, Sendable, Equatable {
    public var message: String
}

enum PercentDecoding {
    static func decode(_ bytes: some Collection<UInt8>, plusIsSpace: Bool) throws(PercentDecodingError) -> String {
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) {
            return try utf8String(bytes)
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let high = bytes.index(after: index)
                guard high != bytes.endIndex, let h = hexValue(bytes[high]) else {
                    throw PercentDecodingError(message: "a '%' is not followed by two hex digits")
                }
                let low = bytes.index(after: high)
                guard low != bytes.endIndex, let l = hexValue(bytes[low]) else {
                    throw PercentDecodingError(message: "a '%' is not followed by two hex digits")
                }
                decoded.append(h << 4 | l)
                index = bytes.index(after: low)
            } else {
                decoded.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = bytes.index(after: index)
            }
        }
        return try utf8String(decoded)
    }

    private static func utf8String(_ bytes: some Collection<UInt8>) throws(PercentDecodingError) -> String {
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
