/// Scans of request bytes eight at a time, as bits of one word: a request target's bytes are checked at about one
/// instruction a byte instead of six or seven, which is most of what a long target (a query string) costs above a
/// short one. Each scan looks at whole words while they fit and at single bytes in the tail.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The offset of the first byte from `start` on that is not visible ASCII (`!` to `~`: a space, a control
    /// character, DEL or any byte from 0x80), or `bytes.count` if there is none.
    static func firstInvisible(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var offset = start
        while offset + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
            // A byte under 0x21 borrows into its high bit, and one from 0x7F up carries into it (0xFF already has
            // it); a borrow or carry only reaches the bytes above a flagged one, so the lowest flag is exact.
            let flags = ((word &- 0x21 &* ones) | (word &+ ones) | word) & highBits
            if flags != 0 { return offset + UInt64(littleEndian: flags).trailingZeroBitCount / 8 }
            offset += 8
        }
        while offset < bytes.count, bytes[offset] &- 0x21 < 0x5E { offset += 1 }
        return offset
    }

    /// The offset of the first `byte` in `bytes[start..<end]`, or `end` if there is none.
    static func first(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        guard let base = bytes.baseAddress else { return end }
        let pattern = UInt64(byte) &* ones
        var offset = start
        while offset + 8 <= end {
            let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
            let flags = hasZeroByte(word ^ pattern)
            if flags != 0 { return offset + UInt64(littleEndian: flags).trailingZeroBitCount / 8 }
            offset += 8
        }
        while offset < end, bytes[offset] != byte { offset += 1 }
        return offset
    }

    /// Whether `bytes` are all ASCII and hold nothing to percent-decode: no `%` and, when `plusIsSpace`, no `+`.
    static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let percent = UInt64(UInt8(ascii: "%")) &* ones
        // Without `plusIsSpace`, the second test looks for `%` again rather than branching in the loop.
        let plus = plusIsSpace ? UInt64(UInt8(ascii: "+")) &* ones : percent
        var offset = 0
        var union: UInt64 = 0
        var escapes: UInt64 = 0
        while offset + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
            union |= word
            escapes |= hasZeroByte(word ^ percent) | hasZeroByte(word ^ plus)
            offset += 8
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            union |= UInt64(byte)
            escapes |= byte == UInt8(ascii: "%") || (plusIsSpace && byte == UInt8(ascii: "+")) ? 1 : 0
            offset += 1
        }
        return escapes == 0 && union & highBits == 0
    }

    /// Nonzero when a byte of `word` is zero (its high bit set there; the bits above a zero byte may be wrong).
    private static func hasZeroByte(_ word: UInt64) -> UInt64 {
        (word &- ones) & ~word & highBits
    }
}
