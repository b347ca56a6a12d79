/// FNV-1a, 64-bit: a stable digest for telling whether data changed. Not for security: nothing here
/// defends against someone crafting collisions, and the feature store needs no more.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    mutating func combine(_ bytes: UnsafeBufferPointer<UInt8>) {
        var hash = value
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        value = hash
    }

    mutating func combine(_ integer: Int) {
        withUnsafeBytes(of: Int64(integer).littleEndian) { combine($0.assumingMemoryBound(to: UInt8.self)) }
    }

    /// A tag byte first, so that `nil` and every value digest differently.
    mutating func combine(_ integer: Int?) {
        if let integer {
            combine(UInt8(1))
            combine(integer)
        } else {
            combine(UInt8(0))
        }
    }

    /// Length first, so that ("ab", "c") and ("a", "bc") digest differently.
    mutating func combine(_ string: String) {
        var string = string
        string.withUTF8 { bytes in
            combine(bytes.count)
            combine(bytes)
        }
    }

    mutating func combine(_ string: String?) {
        if let string {
            combine(UInt8(1))
            combine(string)
        } else {
            combine(UInt8(0))
        }
    }

    /// Sixteen lowercase hex digits.
    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
