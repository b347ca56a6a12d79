import ConciergeJSON
import Testing

@Suite struct JSONWriterTests {
    private func written(_ write: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter()
        write(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test("escapes use the short forms and \\u00XX; everything else is verbatim")
    func escapeSpelling() {
        #expect(written { $0.writeString("\"\\\n\r\t\u{01}\u{1F}é/\u{7F}") } == #""\"\\\n\r\t\u0001\u001fé/\#u{7F}""#)
        #expect(written { $0.writeString("") } == #""""#)
        #expect(written { $0.writeString(nil as String?) } == "null")
    }

    @Test(
        "what the reader reads back is the string written",
        arguments: ["plain", "한글 \"q\" 🍷\n", "\u{0}\u{8}\u{C}\\\\", String(repeating: "a\u{1}", count: 300)])
    func roundTrip(text: String) throws {
        let json = written { $0.writeString(text) }
        guard case .string(let read) = try JSONValue(parsing: Array(json.utf8)[...]) else {
            Issue.record("not a string: \(json)")
            return
        }
        #expect(read == text)
    }

    @Test("integers, scores and prices are spelled as Swift prints them, whole prices without a fraction")
    func numbers() {
        #expect(written { $0.writeInteger(0) } == "0")
        #expect(written { $0.writeInteger(-42) } == "-42")
        #expect(written { $0.writeInteger(.max) } == "9223372036854775807")
        #expect(written { $0.writeInteger(.min) } == "-9223372036854775808")
        #expect(written { $0.writeNumber(Float(0)) } == "0.0")
        #expect(written { $0.writeNumber(Float(0.1)) } == "0.1")
        #expect(written { $0.writeNumber(-Float.leastNormalMagnitude) } == "-1.1754944e-38")
        #expect(written { $0.writeNumber(12.0) } == "12")
        #expect(written { $0.writeNumber(12.5) } == "12.5")
        #expect(written { $0.writeNumber(1e16) } == "1e+16")
    }

    @Test("raw fragments are appended as they stand")
    func rawFragments() {
        let fragment: [UInt8] = Array(#"{"id":"a"}"#.utf8)
        #expect(
            written {
                $0.writeRaw("[")
                $0.writeRaw(fragment[...])
                $0.writeRaw(",")
                $0.writeNull()
                $0.writeRaw("]")
            } == #"[{"id":"a"},null]"#)
    }
}
