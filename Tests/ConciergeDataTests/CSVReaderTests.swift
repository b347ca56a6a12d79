import Testing

@testable import ConciergeData

@Suite struct CSVReaderTests {
    struct Parsed: Equatable, CustomStringConvertible {
        var line: Int
        var fields: [String]
        var raw: String
        var quoting: CSVRecord.Quoting

        var description: String { "line \(line) \(quoting) \(fields) raw \(raw.debugDescription)" }
    }

    /// Reads `input` cut into chunks at `cuts` (offsets into its bytes).
    static func parse(_ input: String, cuts: [Int] = []) -> [Parsed] {
        let bytes = Array(input.utf8)
        var reader = CSVReader()
        var records: [Parsed] = []
        func collect(_ record: CSVRecord) {
            records.append(
                Parsed(
                    line: record.line,
                    fields: (0..<record.fieldCount).map { String(decoding: record.field($0), as: UTF8.self) },
                    raw: String(decoding: record.raw, as: UTF8.self), quoting: record.quoting))
        }
        var start = 0
        for end in cuts + [bytes.count] where end >= start {
            bytes[start..<end].withUnsafeBufferPointer { reader.read($0, collect) }
            start = end
        }
        reader.finish(collect)
        return records
    }

    @Test func quotedFieldsWithCommasDoubledQuotesAndLineBreaks() {
        let input = "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\r\nfield\",x,\"\"\n,,\n"
        #expect(
            Self.parse(input) == [
                Parsed(
                    line: 1, fields: ["a", "b,c", "say \"hi\""], raw: "a,\"b,c\",\"say \"\"hi\"\"\"",
                    quoting: .wellFormed),
                Parsed(
                    line: 2, fields: ["multi\nline\r\nfield", "x", ""], raw: "\"multi\nline\r\nfield\",x,\"\"",
                    quoting: .wellFormed),
                Parsed(line: 5, fields: ["", "", ""], raw: ",,", quoting: .wellFormed),
            ])
    }

    @Test func lineEndingsBlankLinesAndTheLastLine() {
        #expect(
            Self.parse("a,b\r\n\r\n\nc,d\ne\rf,g\r") == [
                Parsed(line: 1, fields: ["a", "b"], raw: "a,b", quoting: .wellFormed),
                Parsed(line: 4, fields: ["c", "d"], raw: "c,d", quoting: .wellFormed),
                // A lone CR is data; a CR just before the end of input ends the line.
                Parsed(line: 5, fields: ["e\rf", "g"], raw: "e\rf,g", quoting: .wellFormed),
            ])
        #expect(Self.parse("x") == [Parsed(line: 1, fields: ["x"], raw: "x", quoting: .wellFormed)])
        #expect(Self.parse("") == [])
        #expect(Self.parse("\n\n") == [])
    }

    @Test func strayQuotesAreMalformedAndAnOpenQuoteAtTheEndIsUnterminated() {
        #expect(
            Self.parse("a\"b,c\n\"d\"e,f\n\"g\"\rh\nok\n\"never\nclosed,x\n") == [
                Parsed(line: 1, fields: ["a\"b", "c"], raw: "a\"b,c", quoting: .malformed),
                Parsed(line: 2, fields: ["de", "f"], raw: "\"d\"e,f", quoting: .malformed),
                Parsed(line: 3, fields: ["g\rh"], raw: "\"g\"\rh", quoting: .malformed),
                Parsed(line: 4, fields: ["ok"], raw: "ok", quoting: .wellFormed),
                Parsed(line: 5, fields: ["never\nclosed,x\n"], raw: "\"never\nclosed,x\n", quoting: .unterminated),
            ])
    }

    @Test func koreanTextPassesThroughUntouched() {
        #expect(Self.parse("\"김치찌개, 2인분\",홍길동\n").first?.fields == ["김치찌개, 2인분", "홍길동"])
    }

    @Test func everySplitOfTheInputReadsTheSame() {
        let input =
            "h1,h2,h3\r\n\"a\"\"\r\nb\",\"\",c\r\n\r\nd,\"e,\nf\"\"\",\"한\"\"글\"\rx\n\"g\"\"\",h\r\n\"tail\r"
        let whole = Self.parse(input)
        #expect(whole.count == 5)
        let count = input.utf8.count
        for cut in 0...count {
            #expect(Self.parse(input, cuts: [cut]) == whole, "cut at \(cut)")
        }
        #expect(Self.parse(input, cuts: Array(0...count)) == whole, "byte by byte")
        var random = SampleRandom(seed: 42)
        for _ in 0..<200 {
            let cuts = (0..<random.int(in: 1...6)).map { _ in random.below(count + 1) }.sorted()
            #expect(Self.parse(input, cuts: cuts) == whole, "cuts at \(cuts)")
        }
    }
}
