@testable import ConciergeData
import Testing

/// The pieces a row's validation is built on: datetimes and the JSON of `contents`.
@Suite struct ExportParsingTests {
    func seconds(_ text: String) -> Int? { ExportDateTime.seconds(parsing: Array(text.utf8)[...]) }

    @Test func datetimesAreKoreanWallClockTime() {
        #expect(seconds("1970-01-01 09:00:00") == 0)
        #expect(seconds("2024-02-29 23:59:59") == 1_709_218_799)
        for invalid in [
            "2023-02-29 10:00:00", "2024-04-31 10:00:00", "2024-13-01 10:00:00", "2024-03-05 24:00:00",
            "2024/03/05 10:00:00", "2024-03-05T10:00:00", "2024-03-05 10:00", "2024-03-05 10:00:00.0", "",
        ] {
            #expect(seconds(invalid) == nil, "\(invalid)")
        }
        var formatted: [UInt8] = []
        ExportDateTime.append(1_709_218_799, to: &formatted)
        #expect(String(decoding: formatted, as: UTF8.self) == "2024-02-29 23:59:59")
    }

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
}
