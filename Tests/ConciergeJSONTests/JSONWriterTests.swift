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

    /// Strings are scanned for escapes eight bytes at a time: every ASCII byte and a two-byte character, at every
    /// position of strings of 0 to 19 bytes, between bytes that would fool a scan reading borrows downwards.
    @Test("every byte at every position is escaped as a byte-at-a-time escaper does")
    func escapesAtEveryPosition() {
        func expected(_ scalars: [Unicode.Scalar]) -> String {
            "\""
                + scalars.map { scalar -> String in
                    switch scalar {
                    case "\"": #"\""#
                    case "\\": #"\\"#
                    case "\n": #"\n"#
                    case "\r": #"\r"#
                    case "\t": #"\t"#
                    case _ where scalar.value < 0x20:
                        "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                    default: String(scalar)
                    }
                }.joined() + "\""
        }
        let specials: [Unicode.Scalar] = (0..<0x80).map { Unicode.Scalar(UInt8($0)) } + ["é"]
        for length in 1...19 {
            for position in 0..<length {
                for special in specials {
                    var scalars = [Unicode.Scalar](repeating: "a", count: length)
                    scalars[position] = special
                    if position + 1 < length { scalars[position + 1] = "\u{0}" }
                    var text = ""
                    text.unicodeScalars.append(contentsOf: scalars)
                    #expect(
                        written { $0.writeString(text) } == expected(scalars),
                        "\(special.value) at \(position) of \(length)")
                }
            }
        }
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

    @Test(
        "scores to significant digits are spelled as the digit-by-digit algorithm spelled them, across all exponents",
        arguments: 1...9)
    func significantDigitsMatchTheReference(digits: Int) {
        // A strided walk over every 32-bit pattern, both signs and subnormals included: the stride is odd, so the
        // low bits vary too. The digit count that scores use gets the finest walk.
        let step = digits == 7 ? 1021 : 8191
        let chunk = 4096
        var first = 0
        while first < 1 << 32 {
            let values = stride(from: first, to: min(first + chunk * step, 1 << 32), by: step)
                .map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }.filter(\.isFinite)
            first += chunk * step
            var expected: [UInt8] = []
            var writer = JSONWriter(reservingCapacity: values.count * 17)
            for value in values {
                SignificantDigitsReference.spell(value, significantDigits: digits, into: &expected)
                expected.append(UInt8(ascii: ","))
                writer.writeNumber(value, significantDigits: digits)
                writer.writeRaw(",")
            }
            guard writer.bytes != expected else { continue }
            // The first difference of the chunk is reported, not all of its 4,096.
            for value in values {
                var spelled: [UInt8] = []
                SignificantDigitsReference.spell(value, significantDigits: digits, into: &spelled)
                let text = written { $0.writeNumber(value, significantDigits: digits) }
                if text != String(decoding: spelled, as: UTF8.self) {
                    #expect(text == String(decoding: spelled, as: UTF8.self), "\(value) to \(digits) digits")
                    return
                }
            }
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

    @Test("a collected text stays as it was while the thread collects others, and a collect may nest in another")
    func collectReusesOnlyWhatIsLetGo() {
        let first = JSONWriter.collect(reservingCapacity: 16) { $0.writeRaw(#"{"a":1}"#) }
        let second = JSONWriter.collect(reservingCapacity: 16) { $0.writeRaw(#"{"b":22}"#) }
        #expect(first == Array(#"{"a":1}"#.utf8))
        #expect(second == Array(#"{"b":22}"#.utf8))
        let outer = JSONWriter.collect(reservingCapacity: 16) { outer in
            outer.writeRaw("[")
            let inner = JSONWriter.collect(reservingCapacity: 4) { $0.writeRaw(#""inner""#) }
            outer.writeRaw(inner[...])
            outer.writeRaw("]")
        }
        #expect(outer == Array(#"["inner"]"#.utf8))
        let large = JSONWriter.collect(reservingCapacity: 16) { json in
            for _ in 0..<20_000 { json.writeRaw("[],") }
        }
        #expect(large.count == 60_000)
        #expect(JSONWriter.collect(reservingCapacity: 16) { $0.writeRaw("[]") } == Array("[]".utf8))
    }
}

/// The spelling of `writeNumber(_:significantDigits:)` as it was first written, digit by digit with a division
/// for each, kept as the definition that the word-at-a-time spelling must match byte for byte.
private enum SignificantDigitsReference {
    /// 10^p as the nearest `Double`, for p in −64...64.
    static let powersOfTen = (-64...64).map { Double("1e\($0)")! }

    static func powerOfTen(_ power: Int) -> Double { powersOfTen[power + 64] }

    static func spell(_ value: Float, significantDigits count: Int, into text: inout [UInt8]) {
        guard value != 0 else { return text.append(contentsOf: "0.0".utf8) }
        let magnitude = Double(value.magnitude)
        var exponent = ((Int((magnitude.bitPattern >> 52) & 0x7FF) - 1023) * 1233) >> 12
        if magnitude >= powerOfTen(exponent + 1) { exponent += 1 }
        var digits = UInt64(magnitude * powerOfTen(count - 1 - exponent) + 0.5)
        if Double(digits) == powerOfTen(count) {
            digits /= 10
            exponent += 1
        }
        var length = count
        while length > 1 && digits % 10 == 0 {
            digits /= 10
            length -= 1
        }
        func append(_ number: UInt64, width: Int) {
            text.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
            var rest = number
            for position in stride(from: text.count - 1, through: text.count - width, by: -1) {
                text[position] += UInt8(rest % 10)
                rest /= 10
            }
        }
        if value < 0 { text.append(UInt8(ascii: "-")) }
        let power = { (n: Int) in UInt64(powerOfTen(n)) }
        switch exponent {
        case 0..<count where length > exponent + 1:
            append(digits / power(length - exponent - 1), width: exponent + 1)
            text.append(UInt8(ascii: "."))
            append(digits % power(length - exponent - 1), width: length - exponent - 1)
        case 0..<count:
            append(digits * power(exponent + 1 - length), width: exponent + 1)
            text.append(contentsOf: ".0".utf8)
        case -5..<0:
            text.append(contentsOf: "0.".utf8)
            append(digits, width: length - exponent - 1)
        default:
            append(digits / power(length - 1), width: 1)
            if length > 1 {
                text.append(UInt8(ascii: "."))
                append(digits % power(length - 1), width: length - 1)
            }
            text.append(UInt8(ascii: "e"))
            text.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            append(UInt64(exponent.magnitude), width: exponent.magnitude >= 10 ? 2 : 1)
        }
    }
}
