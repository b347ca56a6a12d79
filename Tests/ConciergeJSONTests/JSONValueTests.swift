import ConciergeJSON
import Testing

@Suite struct JSONValueTests {
    @Test func jsonWithEscapesSurrogatePairsAndNumbers() throws {
        let text =
            #"  {"name": "\ud55c\uae00 \"q\" \ud83c\udf77\n", "list": [0, -12, 3.5, 1e3, true, false, null, {}, []]} "#
        guard case .object(let members) = try JSONValue(parsing: Array(text.utf8)[...]) else {
            Issue.record("not an object")
            return
        }
        guard case .string(let name) = members[0].value, case .array(let list) = members[1].value else {
            Issue.record("unexpected members")
            return
        }
        #expect(name == "한글 \"q\" 🍷\n")
        #expect(list.count == 9)
        if case .integer(let negative) = list[1] { #expect(negative == -12) } else { Issue.record("-12") }
        if case .otherNumber = list[2] {} else { Issue.record("3.5") }
        if case .otherNumber = list[3] {} else { Issue.record("1e3") }
    }

    @Test func invalidJSONIsRejected() {
        for invalid in [
            "", "[1,]", "{\"a\" 1}", "[01]", "[1.]", "\"tab\there\"", "\"\\ud800\"", "\"\\x\"", "[1] 2", "nul",
            String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
        ] {
            #expect(throws: JSONValue.SyntaxError.self, "\(invalid.debugDescription)") {
                try JSONValue(parsing: Array(invalid.utf8)[...])
            }
        }
        let invalidUTF8: [UInt8] = [UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")]
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue(parsing: invalidUTF8[...]) }
    }

    /// Every `Int` is an integer, `Int.min` too; one step beyond either end is another number.
    @Test func integersBeyondIntAreOtherNumbers() throws {
        let text = "[9223372036854775807, 9223372036854775808, -9223372036854775808, -9223372036854775809, -0]"
        guard case .array(let numbers) = try JSONValue(parsing: Array(text.utf8)[...]) else {
            Issue.record("not an array")
            return
        }
        if case .integer(let largest) = numbers[0] { #expect(largest == Int.max) } else { Issue.record("Int.max") }
        if case .otherNumber = numbers[1] {} else { Issue.record("Int.max + 1") }
        if case .integer(let smallest) = numbers[2] { #expect(smallest == Int.min) } else { Issue.record("Int.min") }
        if case .otherNumber = numbers[3] {} else { Issue.record("Int.min - 1") }
        if case .integer(let zero) = numbers[4] { #expect(zero == 0) } else { Issue.record("-0") }
    }

    @Test func wholeNumbersAreValuesHoweverWritten() throws {
        let expected: [(String, Int?)] = [
            ("5", 5), ("5.0", 5), ("5e0", 5), ("50e-1", 5), ("0.5e1", 5), ("1e2", 100), ("1E+2", 100), ("-1.0", -1),
            ("0e999999999999999999999", 0), ("0.0e-9223372036854775807", 0), ("-0.0", 0),
            ("9223372036854775807.0", Int.max),
            ("-9223372036854775808e0", Int.min), ("9007199254740993.0", 9_007_199_254_740_993),
            ("1.5", nil), ("1e-2", nil), ("9223372036854775808", nil), ("9223372036854775807e1", nil), ("1e19", nil),
            ("1e999999999999999999999", nil), ("1e-999999999999999999999", nil),
            ("true", nil), ("\"5\"", nil), ("null", nil),
        ]
        for (text, value) in expected {
            #expect(try JSONValue(parsing: Array(text.utf8)[...]).wholeNumber == value, "\(text)")
        }
    }

    @Test func syntaxErrorsSayWhereTheReaderStopped() {
        for (text, offset) in [("{\"user\": 1,,}", 11), ("[1 2]", 3), ("[1] x", 4), ("", 0)] {
            let error = #expect(throws: JSONValue.SyntaxError.self, "\(text.debugDescription)") {
                try JSONValue(parsing: Array(text.utf8)[...])
            }
            #expect(error?.offset == offset, "\(text.debugDescription)")
        }
    }
}
