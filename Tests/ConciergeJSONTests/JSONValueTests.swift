import ConciergeJSON
import Testing

@Suite struct JSONValueTests {
    @Test func jsonWithEscapesSurrogatePairsAndNumbers() throws {
        let text = #"  {"name": "\ud55c\uae00 \"q\" \ud83c\udf77\n", "list": [0, -12, 3.5, 1e3, true, false, null, {}, []]} "#
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

    @Test func integersBeyondIntAreOtherNumbers() throws {
        guard case .array(let numbers) = try JSONValue(parsing: Array("[9223372036854775807, 9223372036854775808, -1]".utf8)[...])
        else {
            Issue.record("not an array")
            return
        }
        if case .integer(let largest) = numbers[0] { #expect(largest == Int.max) } else { Issue.record("Int.max") }
        if case .otherNumber = numbers[1] {} else { Issue.record("Int.max + 1") }
        if case .integer(let negative) = numbers[2] { #expect(negative == -1) } else { Issue.record("-1") }
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
