/// One sample line of Prometheus's text exposition format: `name{label="value",…} value [timestamp]`.
package struct PrometheusSample: Sendable, Equatable {
    package var name: String
    package var labels: [String: String]
    package var value: Double
    /// Milliseconds since the epoch, when the line carries one.
    package var timestamp: Int64?

    package init(name: String, labels: [String: String] = [:], value: Double, timestamp: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    /// Every sample of an exposition, in order; `# HELP`, `# TYPE`, other comments and blank lines are skipped.
    /// Follows the format's grammar (https://prometheus.io/docs/instrumenting/exposition_formats/): spaces or
    /// tabs between the parts, label values with `\\`, `\"` and `\n` escapes, an optional trailing comma in
    /// the label set, values with `+Inf`, `-Inf` and `NaN`.
    package static func parse(exposition text: String) throws(PrometheusTextError) -> [PrometheusSample] {
        var samples: [PrometheusSample] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var reader = LineReader(line: Array(line.utf8), number: index + 1)
            reader.skipBlanks()
            guard !reader.atEnd, reader.current != UInt8(ascii: "#") else { continue }
            samples.append(try reader.sample())
        }
        return samples
    }
}

/// Reads one sample line, byte by byte.
private struct LineReader {
    let line: [UInt8]
    let number: Int
    var index = 0

    var atEnd: Bool { index == line.count }
    var current: UInt8 { line[index] }

    mutating func skipBlanks() {
        while !atEnd, current == UInt8(ascii: " ") || current == UInt8(ascii: "\t") { index += 1 }
    }

    func failure(_ problem: String) -> PrometheusTextError {
        PrometheusTextError(line: number, problem: problem, text: String(decoding: line, as: UTF8.self))
    }

    mutating func sample() throws(PrometheusTextError) -> PrometheusSample {
        let name = try self.name(colonAllowed: true)
        var labels: [String: String] = [:]
        skipBlanks()
        if !atEnd, current == UInt8(ascii: "{") {
            index += 1
            labels = try labelSet()
        }
        guard let value = Double(try word("a value")) else { throw failure("the value is not a number") }
        var timestamp: Int64?
        skipBlanks()
        if !atEnd {
            guard let milliseconds = Int64(try word("a timestamp")) else {
                throw failure("the timestamp is not an integer")
            }
            timestamp = milliseconds
        }
        skipBlanks()
        guard atEnd else { throw failure("unexpected text after the sample") }
        return PrometheusSample(name: name, labels: labels, value: value, timestamp: timestamp)
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` for metric names; label names take no colon.
    private mutating func name(colonAllowed: Bool) throws(PrometheusTextError) -> String {
        let start = index
        while !atEnd {
            let byte = current
            let letter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            guard
                letter || byte == UInt8(ascii: "_") || (colonAllowed && byte == UInt8(ascii: ":"))
                    || (digit && index > start)
            else { break }
            index += 1
        }
        guard index > start else { throw failure(colonAllowed ? "expected a metric name" : "expected a label name") }
        return String(decoding: line[start..<index], as: UTF8.self)
    }

    /// After `{`: `name="value"` pairs up to `}`.
    private mutating func labelSet() throws(PrometheusTextError) -> [String: String] {
        var labels: [String: String] = [:]
        while true {
            skipBlanks()
            guard !atEnd else { throw failure("the label set is not closed") }
            if current == UInt8(ascii: "}") {
                index += 1
                return labels
            }
            let name = try self.name(colonAllowed: false)
            skipBlanks()
            try expect(UInt8(ascii: "="))
            skipBlanks()
            try expect(UInt8(ascii: "\""))
            guard labels.updateValue(try labelValue(), forKey: name) == nil else {
                throw failure("label \(name) appears twice")
            }
            skipBlanks()
            guard !atEnd else { throw failure("the label set is not closed") }
            if current == UInt8(ascii: ",") {
                index += 1
            } else if current != UInt8(ascii: "}") {
                throw failure("expected ',' or '}' after label \(name)")
            }
        }
    }

    /// After the opening quote: the value up to the closing one, escapes undone.
    private mutating func labelValue() throws(PrometheusTextError) -> String {
        var value: [UInt8] = []
        while !atEnd {
            let byte = current
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard !atEnd else { throw failure("a label value ends in a lone backslash") }
                switch current {
                case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "\\"), UInt8(ascii: "\""): value.append(current)
                default: throw failure("unknown escape \\\(Character(Unicode.Scalar(current))) in a label value")
                }
                index += 1
            default:
                value.append(byte)
            }
        }
        throw failure("a label value is not closed")
    }

    private mutating func expect(_ byte: UInt8) throws(PrometheusTextError) {
        guard !atEnd, current == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    /// The next run of non-blank bytes, after blanks.
    private mutating func word(_ what: String) throws(PrometheusTextError) -> String {
        skipBlanks()
        let start = index
        while !atEnd, current != UInt8(ascii: " "), current != UInt8(ascii: "\t") { index += 1 }
        guard index > start else { throw failure("expected \(what)") }
        return String(decoding: line[start..<index], as: UTF8.self)
    }
}
