extension JSONWriter {
    /// `value` rounded to `significantDigits` (1 to 9) significant digits, without the trailing zeros of its
    /// fraction: `0.8342101`, `0.25`, `12.0`, `0.0`; in exponent form below 10⁻⁵ and from 10^`significantDigits`
    /// up: `1.5e-7`, `1.234568e+9`. Written by integer arithmetic, at a third of the cost of the shortest spelling
    /// that reads back as `value` (`writeNumber(_:)`). Rounding keeps the order: a larger value never reads back
    /// as a smaller one. `value` must be finite.
    public mutating func writeNumber(_ value: Float, significantDigits: Int) {
        precondition((1...9).contains(significantDigits) && value.isFinite)
        guard value != 0 else { return writeRaw("0.0") }
        let (digits, exponent) = DecimalText.round(Double(value.magnitude), significantDigits: significantDigits)
        writeInPlace(maximum: DecimalText.capacity) { start in
            var text = DecimalText(start)
            if value < 0 { text.append(UInt8(ascii: "-")) }
            text.append(digits: digits, count: significantDigits, exponent: exponent)
            return text.count
        }
    }
}

/// The spelling of one number, written straight into the writer's memory.
private struct DecimalText {
    /// The longest spelling is 16 bytes: a sign, "0.", four zeros and nine digits.
    static let capacity = 16

    private let start: UnsafeMutablePointer<UInt8>
    /// How many bytes are written.
    private(set) var count = 0

    /// `start`: room for `capacity` bytes.
    init(_ start: UnsafeMutablePointer<UInt8>) { self.start = start }

    /// `magnitude` (positive and finite) rounded half up to `count` significant digits: `digits` × 10^(`exponent` −
    /// `count` + 1), where `digits` has exactly `count` digits.
    static func round(_ magnitude: Double, significantDigits count: Int) -> (digits: UInt64, exponent: Int) {
        // A Float's magnitude is a normal Double, whose biased exponent is its bits 52 to 62. Times 1233 / 4096,
        // just below log10(2), it is the decimal exponent or one less.
        let binaryExponent = Int((magnitude.bitPattern >> 52) & 0x7FF) - 1023
        var exponent = (binaryExponent * 1233) >> 12
        if magnitude >= powerOfTen(exponent + 1) { exponent += 1 }
        // The product is below 10^10, where a Double holds every integer and half.
        var digits = UInt64(magnitude * powerOfTen(count - 1 - exponent) + 0.5)
        if Double(digits) == powerOfTen(count) {
            // 9.9999996 to 7 digits is 10.00000: one digit more than asked, the last a zero.
            digits /= 10
            exponent += 1
        }
        return (digits, exponent)
    }

    /// 10^`power` as the nearest `Double`, for `power` in −64...64: a `Float`'s decimal exponents and the scales
    /// that bring nine digits of one to the units.
    private static func powerOfTen(_ power: Int) -> Double { powersOfTen[power + 64] }

    private static let powersOfTen: [Double] = (-64...64).map { Double("1e\($0)")! }

    mutating func append(_ byte: UInt8) {
        start[count] = byte
        count += 1
    }

    /// `digits` (`count` of them, the first not 0) × 10^(`exponent` − `count` + 1), its trailing zeros dropped.
    mutating func append(digits: UInt64, count: Int, exponent: Int) {
        var significand = digits
        var length = count
        while length > 1 && significand % 10 == 0 {
            significand /= 10
            length -= 1
        }
        switch exponent {
        case 0..<count where length > exponent + 1:
            let fraction = Self.decimalPowers[length - exponent - 1]
            append(significand / fraction, width: exponent + 1)
            append(UInt8(ascii: "."))
            append(significand % fraction, width: length - exponent - 1)
        case 0..<count:
            append(significand * Self.decimalPowers[exponent + 1 - length], width: exponent + 1)
            append(UInt8(ascii: "."))
            append(UInt8(ascii: "0"))
        case -5..<0:
            append(UInt8(ascii: "0"))
            append(UInt8(ascii: "."))
            append(significand, width: length - exponent - 1)
        default:
            let fraction = Self.decimalPowers[length - 1]
            append(significand / fraction, width: 1)
            if length > 1 {
                append(UInt8(ascii: "."))
                append(significand % fraction, width: length - 1)
            }
            append(UInt8(ascii: "e"))
            append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            append(UInt64(exponent.magnitude), width: exponent.magnitude >= 10 ? 2 : 1)
        }
    }

    /// 10^n for n in 0...9.
    private static let decimalPowers: [UInt64] = (0...9).map { n in (0..<n).reduce(1) { power, _ in power * 10 } }

    /// "00", "01", … "99": two digits at a time take half the divisions.
    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354\
        555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899
        """

    /// `value` (below 10^`width`) in exactly `width` digits, leading zeros included.
    private mutating func append(_ value: UInt64, width: Int) {
        let first = count
        count += width
        var end = count
        var rest = value
        while end - first >= 2 {
            let pair = Int(rest % 100) * 2
            rest /= 100
            end -= 2
            start[end] = Self.digitPairs.utf8Start[pair]
            start[end + 1] = Self.digitPairs.utf8Start[pair + 1]
        }
        if end > first { start[first] = UInt8(ascii: "0") + UInt8(rest) }
    }
}
