extension JSONValue {
    /// The value of a number that is whole and fits `Int`, however it is written: JSON numbers are values,
    /// so `5`, `5.0`, `5e0` and `50e-1` are all 5. Nil for fractions, larger values and non-numbers.
    package var wholeNumber: Int? {
        switch self {
        case .integer(let value): value
        case .otherNumber(let literal): Self.wholeValue(of: Array(literal.utf8))
        default: nil
        }
    }

    /// Exact decimal arithmetic on the digits, since a `Double` would round ids above 2^53.
    /// `literal` is a number the parser has already validated.
    private static func wholeValue(of literal: [UInt8]) -> Int? {
        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        var index = 0
        let negative = literal[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var digits: [UInt8] = []
        var exponent = 0
        while index < literal.count, isDigit(literal[index]) {
            digits.append(literal[index])
            index += 1
        }
        if index < literal.count, literal[index] == UInt8(ascii: ".") {
            index += 1
            while index < literal.count, isDigit(literal[index]) {
                digits.append(literal[index])
                exponent -= 1
                index += 1
            }
        }
        guard let first = digits.firstIndex(where: { $0 != UInt8(ascii: "0") }),
            let last = digits.lastIndex(where: { $0 != UInt8(ascii: "0") })
        else { return 0 }
        if index < literal.count {
            index += 1
            let negativeExponent = literal[index] == UInt8(ascii: "-")
            if !isDigit(literal[index]) { index += 1 }
            var written = 0
            for byte in literal[index...] {
                // An exponent beyond `Int` makes a non-zero value too large or too small to be a whole `Int`.
                guard
                    let next = written.appendingDecimalDigit(Int(byte - UInt8(ascii: "0")), negative: negativeExponent)
                else { return nil }
                written = next
            }
            let (sum, overflow) = exponent.addingReportingOverflow(written)
            guard !overflow else { return nil }
            exponent = sum
        }
        let significant = digits[first...last]
        exponent += digits.endIndex - last - 1
        // Int.max has 19 digits: a longer value cannot fit, and the loop below stays short.
        guard exponent >= 0, significant.count + exponent <= 19 else { return nil }
        var value = 0
        for byte in significant + repeatElement(UInt8(ascii: "0"), count: exponent) {
            guard let next = value.appendingDecimalDigit(Int(byte - UInt8(ascii: "0")), negative: negative) else {
                return nil
            }
            value = next
        }
        return value
    }
}
