import Testing

@testable import ConciergeHTTP

@Suite("QueryItems")
struct QueryItemsTests {
    private func pairs(_ query: String) throws(PercentDecodingError) -> [[String]] {
        try QueryItems(parsing: query.utf8).items.map { [$0.name, $0.value] }
    }

    @Test(
        "decodes name=value pairs in order",
        arguments: [
            ("user=42", [["user", "42"]]),
            ("user=42&limit=5", [["user", "42"], ["limit", "5"]]),
            ("q=a+b", [["q", "a b"]]),
            ("q=a%20b%2Bc", [["q", "a b+c"]]),
            ("a+b=c+d", [["a b", "c d"]]),
            ("name=Ren%C3%A9e", [["name", "Renée"]]),
            ("city=%E6%9D%B1%E4%BA%AC", [["city", "東京"]]),
            ("emoji=%F0%9F%98%80", [["emoji", "😀"]]),
            ("raw=café", [["raw", "café"]]),
            ("%3D%26=%3d%26", [["=&", "=&"]]),
            ("flag", [["flag", ""]]),
            ("flag&x=1", [["flag", ""], ["x", "1"]]),
            ("empty=", [["empty", ""]]),
            ("=value", [["", "value"]]),
            ("a=1=2", [["a", "1=2"]]),
            ("a=1&&b=2", [["a", "1"], ["b", "2"]]),
            ("&&a=1&", [["a", "1"]]),
            ("", [[String]]()),
            ("&", [[String]]()),
            ("tag=x&tag=y&tag=z", [["tag", "x"], ["tag", "y"], ["tag", "z"]]),
            ("path=%2Fa%2Fb", [["path", "/a/b"]]),
            ("upper=%C3%A9&lower=%c3%a9", [["upper", "é"], ["lower", "é"]]),
            ("plus=%2B+%2B", [["plus", "+ +"]]),
        ])
    func parses(query: String, expected: [[String]]) throws {
        #expect(try pairs(query) == expected)
    }

    @Test("repeated names: the subscript gives the first value, values(for:) all of them in order")
    func repeatedNames() throws {
        let query = try QueryItems(parsing: "tag=x&user=1&tag=y&tag=&tag=z".utf8)
        #expect(query["tag"] == "x")
        #expect(query.values(for: "tag") == ["x", "y", "", "z"])
        #expect(query["user"] == "1")
        #expect(query.values(for: "user") == ["1"])
        #expect(query["missing"] == nil)
        #expect(query.values(for: "missing").isEmpty)
        #expect(query["Tag"] == nil, "names are case-sensitive")
    }

    @Test("it is a sequence of its items")
    func sequence() throws {
        let query = try QueryItems(parsing: "a=1&b=2".utf8)
        #expect(query.map(\.name) == ["a", "b"])
        #expect(query.map(\.value) == ["1", "2"])
        #expect(QueryItems().items.isEmpty)
    }

    @Test("parses from any collection of bytes, such as a slice")
    func slice() throws {
        let target = Array("/path?x=1&y=%C3%A9".utf8)
        let query = try QueryItems(parsing: target[6...])
        #expect(query.items == [.init(name: "x", value: "1"), .init(name: "y", value: "é")])
    }

    @Test(
        "invalid percent escapes and invalid UTF-8 throw PercentDecodingError",
        arguments: [
            "a=%", "a=%2", "a=%zz", "a=%G1", "a=%1G", "a=100%", "%=1", "%2=1", "ok=1&bad=%x1",
            "a=%C3", "a=%C3%28", "a=%FF", "a=%80", "a=%ED%A0%80", "a=%F0%9F%98", "a=%C0%AF",
        ])
    func invalid(query: String) {
        #expect(throws: PercentDecodingError.self) {
            try QueryItems(parsing: query.utf8)
        }
    }

    @Test("raw bytes that are not UTF-8 throw")
    func rawInvalidUTF8() {
        #expect(throws: PercentDecodingError.self) {
            try QueryItems(parsing: [UInt8(ascii: "a"), UInt8(ascii: "="), 0xFF])
        }
        #expect(throws: PercentDecodingError.self) {
            try QueryItems(parsing: [0xC3, UInt8(ascii: "=")])
        }
    }

    /// Each pair as `forEachPair` lends it: name, value, and the value read as a whole number.
    private func lent(_ query: String) throws -> [[String]] {
        var pairs: [[String]] = []
        try QueryItems(parsing: query.utf8).forEachPair { pair in
            pairs.append([pair.nameString, pair.valueString, pair.integerValue.map { "\($0)" } ?? "nil"])
        }
        return pairs
    }

    @Test(
        "forEachPair lends the same pairs as the items, plain or decoded",
        arguments: [
            "user=42&k=10", "a+b=c+d&x=%31%30", "&&flag&=v&e=", "raw=café&n=-3", "", "t=1&t=2",
            "user=303163&k=10&hotel=H001&exclude=a,b,c", "a_name_of_more_than_eight=value=with=equals&&x&",
        ])
    func lentPairs(query: String) throws {
        let items = try QueryItems(parsing: query.utf8).items
        let pairs = try lent(query)
        #expect(pairs.map { [$0[0], $0[1]] } == items.map { [$0.name, $0.value] })
        #expect(pairs.map { $0[2] } == items.map { Int($0.value).map { "\($0)" } ?? "nil" })
    }

    @Test(
        "integerValue reads a value as Int(String) does",
        arguments: [
            "0", "10", "007", "+5", "-5", "-", "+", "", " 5", "5 ", "1e3", "0x10", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "99999999999999999999", "١",
        ])
    func integerValue(value: String) throws {
        var read: Int?? = .none
        let encoded = value.addingPercentEncodingForQuery()
        try QueryItems(parsing: "k=\(encoded)".utf8).forEachPair { read = $0.integerValue }
        #expect(read == .some(Int(value)))
    }

    @Test("hasName compares the whole name, case and all")
    func hasName() throws {
        var matches: [Bool] = []
        try QueryItems(parsing: "user=1&users=2&use=3&User=4&us%65r=5".utf8).forEachPair {
            matches.append($0.hasName("user"))
        }
        #expect(matches == [true, false, false, false, true])
    }

    @Test("an error thrown by the body stops the walk and reaches the caller")
    func bodyError() throws {
        var seen: [String] = []
        let query = try QueryItems(parsing: "a=1&b=2&c=3".utf8)
        #expect(throws: HTTPError.self) {
            try query.forEachPair { pair throws(HTTPError) in
                seen.append(pair.nameString)
                if pair.hasName("b") { throw HTTPError.badRequest("b", code: "stop") }
            }
        }
        #expect(seen == ["a", "b"])
    }

    @Test("the error says what was wrong")
    func errorMessages() {
        do {
            _ = try QueryItems(parsing: "a=%zz".utf8)
            Issue.record("no error")
        } catch {
            #expect(error.message.contains("hex"))
        }
        do {
            _ = try QueryItems(parsing: "a=%FF".utf8)
            Issue.record("no error")
        } catch {
            #expect(error.message.contains("UTF-8"))
        }
    }

    private func decode(_ text: String, plusIsSpace: Bool) throws(PercentDecodingError) -> String {
        let result = Array(text.utf8).withUnsafeBufferPointer { buffer -> Result<String, PercentDecodingError> in
            do throws(PercentDecodingError) {
                return .success(try PercentDecoding.decode(buffer, plusIsSpace: plusIsSpace))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    @Test("percent decoding: + is a space only when asked")
    func plusIsSpaceOption() throws {
        #expect(try decode("a+b%20c", plusIsSpace: true) == "a b c")
        #expect(try decode("a+b%20c", plusIsSpace: false) == "a+b c")
        #expect(try decode("", plusIsSpace: true) == "")
        #expect(throws: PercentDecodingError.self) { try decode("%2", plusIsSpace: false) }
    }

    @Test(
        "hex digit values",
        arguments: zip(Array("09afAFgG/:@`".utf8), [0, 9, 10, 15, 10, 15, nil, nil, nil, nil, nil, nil] as [UInt8?]))
    func hexValue(byte: UInt8, expected: UInt8?) {
        #expect(PercentDecoding.hexValue(byte) == expected)
    }
}

extension String {
    /// Every byte but letters and digits as `%XX`, so that a test value reaches the query parser intact.
    fileprivate func addingPercentEncodingForQuery() -> String {
        utf8.map { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                String(UnicodeScalar(byte))
            default:
                "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }.joined()
    }

    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
