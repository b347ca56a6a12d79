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

    /// Written out, so that the table is part of the binary rather than made on first use behind a lock check.
    private static let powersOfTen: [Double] = [
        1e-64, 1e-63, 1e-62, 1e-61, 1e-60, 1e-59, 1e-58, 1e-57, 1e-56, 1e-55, 1e-54, 1e-53,
        1e-52, 1e-51, 1e-50, 1e-49, 1e-48, 1e-47, 1e-46, 1e-45, 1e-44, 1e-43, 1e-42, 1e-41,
        1e-40, 1e-39, 1e-38, 1e-37, 1e-36, 1e-35, 1e-34, 1e-33, 1e-32, 1e-31, 1e-30, 1e-29,
        1e-28, 1e-27, 1e-26, 1e-25, 1e-24, 1e-23, 1e-22, 1e-21, 1e-20, 1e-19, 1e-18, 1e-17,
        1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5,
        1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31,
        1e32, 1e33, 1e34, 1e35, 1e36, 1e37, 1e38, 1e39, 1e40, 1e41, 1e42, 1e43,
        1e44, 1e45, 1e46, 1e47, 1e48, 1e49, 1e50, 1e51, 1e52, 1e53, 1e54, 1e55,
        1e56, 1e57, 1e58, 1e59, 1e60, 1e61, 1e62, 1e63, 1e64,
    ]

    mutating func append(_ byte: UInt8) {
        start[count] = byte
        count &+= 1
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
    private static let decimalPowers: [UInt64] = [
        1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
    ]

    /// "00", "01", … "99": two digits at a time take half the divisions.
    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354\
        555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899
        """

    /// `value` (below 10^`width`) in exactly `width` digits, leading zeros included.
    private mutating func append(_ value: UInt64, width: Int) {
        // Positions stay within the caller's 16 bytes: wrapping arithmetic spares the overflow checks.
        let first = count
        count &+= width
        var end = count
        var rest = value
        let pairs = Self.digitPairs.utf8Start
        while end &- first >= 2 {
            let pair = Int(truncatingIfNeeded: rest % 100) &* 2
            rest /= 100
            end &-= 2
            start[end] = pairs[pair]
            start[end &+ 1] = pairs[pair &+ 1]
        }
        if end > first { start[first] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest) }
    }
}
