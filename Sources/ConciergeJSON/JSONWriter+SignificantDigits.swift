extension JSONWriter {
    /// `value` rounded to `significantDigits` (1 to 9) significant digits, without the trailing zeros of its
    /// fraction: `0.8342101`, `0.25`, `12.0`, `0.0`; in exponent form below 10⁻⁵ and from 10^`significantDigits`
    /// up: `1.5e-7`, `1.234568e+9`. Written by integer arithmetic, at under a third of the cost of the shortest spelling
    /// that reads back as `value` (`writeNumber(_:)`). Rounding keeps the order: a larger value never reads back
    /// as a smaller one. `value` must be finite.
    public mutating func writeNumber(_ value: Float, significantDigits: Int) {
        precondition((1...9).contains(significantDigits) && value.isFinite)
        guard value != 0 else { return writeRaw("0.0") }
        let (digits, exponent) = DecimalText.round(Double(value.magnitude), significantDigits: significantDigits)
        writeInPlace(maximum: DecimalText.capacity) { start in
            DecimalText.write(
                digits: digits, count: significantDigits, exponent: exponent, negative: value < 0, to: start)
        }
    }
}

/// The spelling of one number, written straight into the writer's memory with a few word-sized stores.
private enum DecimalText {
    /// The longest spelling is 16 bytes (a sign, "0.", four zeros and nine digits), but the stores of whole
    /// words reach 3 bytes further, into room that the writer reserves and the next text overwrites.
    static let capacity = 19

    /// `magnitude` (positive and finite) rounded half up to `count` significant digits: `digits` × 10^(`exponent` −
    /// `count` + 1), where `digits` has exactly `count` digits.
    @inline(__always)
    static func round(_ magnitude: Double, significantDigits count: Int) -> (digits: Int, exponent: Int) {
        // A Float's magnitude is a normal Double, whose biased exponent is its bits 52 to 62. Times 1233 / 4096,
        // just below log10(2), it is the decimal exponent or one less.
        let binaryExponent = Int(truncatingIfNeeded: (magnitude.bitPattern &>> 52) & 0x7FF) &- 1023
        var exponent = (binaryExponent &* 1233) &>> 12
        if magnitude >= powerOfTen(exponent &+ 1) { exponent &+= 1 }
        // The product is below 10^10, where a Double holds every integer and half.
        var digits = Int(magnitude * powerOfTen(count &- 1 &- exponent) + 0.5)
        if Double(digits) == powerOfTen(count) {
            // 9.9999996 to 7 digits is 10.00000: one digit more than asked, the last a zero.
            digits /= 10
            exponent &+= 1
        }
        return (digits, exponent)
    }

    /// 10^`power` as the nearest `Double`, for `power` in −64...64: a `Float`'s decimal exponents and the scales
    /// that bring nine digits of one to the units.
    private static func powerOfTen(_ power: Int) -> Double {
        // Unchecked: `round` asks only for powers in range, and the table is read three times a number.
        powersOfTen.withUnsafeBufferPointer { $0[power &+ 64] }
    }

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

    /// Writes `digits` (`count` of them, the first not 0) × 10^(`exponent` − `count` + 1) without its trailing
    /// zeros at `start`, after a minus sign if `negative`, and returns how many bytes the spelling takes.
    @inline(__always)
    static func write(
        digits: Int, count: Int, exponent: Int, negative: Bool, to start: UnsafeMutablePointer<UInt8>
    ) -> Int {
        let sign = negative ? 1 : 0
        start.pointee = UInt8(ascii: "-")
        let text = UnsafeMutableRawPointer(start + sign)
        // Nine digits, the asked ones then zeros: the first alone, the other eight as the bytes of one word.
        let nine = UInt64(truncatingIfNeeded: digits) &* decimalPowers[9 &- count]
        let first = nine / 100_000_000
        let eight = digitBytes(ofEight: nine &- first &* 100_000_000)
        let leading = UInt8(truncatingIfNeeded: first) &+ UInt8(ascii: "0")
        // Zero digits are zero bytes, the last digit the word's highest byte: its leading zero bytes are the
        // trailing zeros.
        let length = 9 &- eight.leadingZeroBitCount &>> 3
        let eightText = eight | 0x3030_3030_3030_3030
        switch exponent {
        case 0..<count:
            // The first digit and `exponent` of the eight, the point, then the rest: at least a "0", which the
            // next digit is (or, after all nine, a zero of its own).
            let fraction = exponent == 8 ? UInt64(UInt8(ascii: "0")) : eightText &>> UInt64(exponent &* 8)
            text.storeBytes(of: leading, as: UInt8.self)
            text.storeBytes(of: eightText.littleEndian, toByteOffset: 1, as: UInt64.self)
            text.storeBytes(of: UInt8(ascii: "."), toByteOffset: exponent &+ 1, as: UInt8.self)
            text.storeBytes(of: fraction.littleEndian, toByteOffset: exponent &+ 2, as: UInt64.self)
            return sign &+ exponent &+ 2 &+ max(length &- 1 &- exponent, 1)
        case -5..<0:
            // "0." and the zeros, then the digits from the first.
            let zeros = UInt64(0x3030_3030_3030_2E30)
            text.storeBytes(of: zeros.littleEndian, as: UInt64.self)
            text.storeBytes(of: leading, toByteOffset: 1 &- exponent, as: UInt8.self)
            text.storeBytes(of: eightText.littleEndian, toByteOffset: 2 &- exponent, as: UInt64.self)
            return sign &+ 1 &- exponent &+ length
        default:
            text.storeBytes(of: leading, as: UInt8.self)
            text.storeBytes(of: UInt8(ascii: "."), toByteOffset: 1, as: UInt8.self)
            text.storeBytes(of: eightText.littleEndian, toByteOffset: 2, as: UInt64.self)
            // One digit alone has no point after it.
            let mantissaLength = length > 1 ? length &+ 1 : 1
            let magnitude = UInt32(truncatingIfNeeded: exponent.magnitude)
            let exponentSign = exponent < 0 ? UInt32(UInt8(ascii: "-")) : UInt32(UInt8(ascii: "+"))
            let tens = magnitude / 10
            let ones = magnitude &- tens &* 10
            let zero = UInt32(UInt8(ascii: "0"))
            let exponentText =
                magnitude >= 10
                ? UInt32(UInt8(ascii: "e")) | exponentSign &<< 8 | (tens &+ zero) &<< 16 | (ones &+ zero) &<< 24
                : UInt32(UInt8(ascii: "e")) | exponentSign &<< 8 | (ones &+ zero) &<< 16
            text.storeBytes(of: exponentText.littleEndian, toByteOffset: mantissaLength, as: UInt32.self)
            return sign &+ mantissaLength &+ (magnitude >= 10 ? 4 : 3)
        }
    }

    /// 10^n for n in 0...9.
    private static let decimalPowers: [UInt64] = [
        1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
    ]

    /// `value` (below 10⁸) as eight decimal digits, most significant first, one a byte from the lowest: each
    /// step halves the width of the parts by a multiplication that divides every part of the word at once.
    private static func digitBytes(ofEight value: UInt64) -> UInt64 {
        // Four and four digits in the two 32-bit halves.
        let high = value / 10_000
        let fours = high | (value &- high &* 10_000) &<< 32
        // Two and two in each 16 bits: x / 100 is (x × 10486) >> 20 for x below 10⁴.
        let hundreds = ((fours &* 10486) &>> 20) & 0x0000_007F_0000_007F
        let pairs = hundreds | (fours &- hundreds &* 100) &<< 16
        // One and one in each byte: x / 10 is (x × 103) >> 10 for x below 100.
        let tens = ((pairs &* 103) &>> 10) & 0x000F_000F_000F_000F
        return tens | (pairs &- tens &* 10) &<< 8
    }
}
