import ConciergeJSON
import Foundation
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

    @Test("scores to significant digits: rounded half up, trailing zeros dropped, exponents outside 1e-5 ..< 1e7")
    func significantDigitSpelling() {
        func spelled(_ value: Float, _ digits: Int = 7) -> String {
            written { $0.writeNumber(value, significantDigits: digits) }
        }
        #expect(spelled(0) == "0.0")
        #expect(spelled(-0.0) == "0.0")
        #expect(spelled(0.25) == "0.25")
        #expect(spelled(0.1) == "0.1")
        #expect(spelled(0.1, 9) == "0.100000001")
        #expect(spelled(0.83421016) == "0.8342102")
        #expect(spelled(-2.5) == "-2.5")
        #expect(spelled(12) == "12.0")
        #expect(spelled(100) == "100.0")
        #expect(spelled(1_234_567) == "1234567.0")
        #expect(spelled(12_345_678) == "1.234568e+7")
        #expect(spelled(9.9999996) == "10.0")
        #expect(spelled(0.00001) == "0.00001")
        #expect(spelled(0.0000015) == "1.5e-6")
        #expect(spelled(12, 1) == "1e+1")
        #expect(spelled(-Float.leastNormalMagnitude) == "-1.175494e-38")
        #expect(spelled(.greatestFiniteMagnitude) == "3.402823e+38")
        #expect(spelled(.leastNonzeroMagnitude) == "1.401298e-45")
    }

    @Test(
        "a score reads back within half a unit of its last digit, and a larger score never reads back smaller",
        arguments: [1, 6, 7, 9])
    func significantDigitsKeepOrder(digits: Int) throws {
        var previous = -Double.infinity
        // Every 65,537th positive Float, from the least subnormal to the greatest finite, and its negation.
        let values = stride(from: UInt32(1), to: 0x7F80_0000, by: 65_537).map { Float(bitPattern: $0) }
        for value in values.reversed().map({ -$0 }) + values {
            let text = written { $0.writeNumber(value, significantDigits: digits) }
            let read = try #require(Double(text), "\(value) → \(text)")
            let unit = pow(10, log10(Double(value.magnitude)).rounded(.down) - Double(digits - 1))
            #expect(abs(read - Double(value)) <= unit / 2 + abs(read) * 1e-15, "\(value) → \(text)")
            #expect(read >= previous, "\(value) → \(text)")
            if digits == 9 { #expect(Float(text) == value, "\(value) → \(text)") }
            previous = read
        }
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

    @Test(
        "collect returns the same text whether it fits the capacity asked for or outgrows it",
        arguments: [0, 64, 100, 5_000])
    func collectedText(capacity: Int) {
        let long = String(repeating: "menu \"item\" ", count: 40)
        let write = { (json: inout JSONWriter) in
            json.writeRaw(#"{"names":["#)
            for index in 0..<20 {
                if index > 0 { json.writeRaw(",") }
                json.writeString("\(index) \(long)")
            }
            json.writeRaw("]}")
        }
        let collected = JSONWriter.collect(reservingCapacity: capacity, write)
        #expect(collected == Array(written(write).utf8))
        #expect(collected.count > 10_000)
        #expect(JSONWriter.collect(reservingCapacity: capacity) { $0.writeRaw("[]") } == Array("[]".utf8))
    }
}
