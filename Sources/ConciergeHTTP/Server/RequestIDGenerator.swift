/// Request ids for requests that arrive without one: 128 random bits as 32 hex digits, like nginx's
/// `$request_id`. A per-queue wyrand generator seeded from the system keeps this off the kernel's path.
struct RequestIDGenerator {
    private var state: UInt64

    init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    private mutating func next() -> UInt64 {
        state &+= 0xa076_1d64_78bd_642f
        let product = state.multipliedFullWidth(by: state ^ 0xe703_7ed1_a0b4_28db)
        return product.high ^ product.low
    }

    mutating func make() -> String {
        let high = next()
        let low = next()
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0..<16 {
                buffer[index] = Self.hexDigit(high >> (60 - 4 * UInt64(index)))
                buffer[16 + index] = Self.hexDigit(low >> (60 - 4 * UInt64(index)))
            }
            return 32
        }
    }

    /// The lowest four bits as a lower-case hex digit.
    private static func hexDigit(_ bits: UInt64) -> UInt8 {
        let nibble = UInt8(truncatingIfNeeded: bits & 0xF)
        return nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
    }

    /// A client's id is kept only when it cannot break a log line or a header.
    static func isAcceptable(_ id: String) -> Bool {
        isAcceptable(id.utf8)
    }

    static func isAcceptable(_ bytes: some Collection<UInt8>) -> Bool {
        (1...128).contains(bytes.count)
            && bytes.allSatisfy { $0.isTokenCharacter || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/") }
    }
}
