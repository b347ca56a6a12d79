#if canImport(Glibc)
    import Glibc
#endif

/// The `Date` header value (RFC 9110 IMF-fixdate), formatted once per second per queue.
struct HTTPDateCache {
    private var second: time_t = -1
    private(set) var value: [UInt8] = []

    mutating func current() -> [UInt8] {
        let now = time(nil)
        if now != second {
            second = now
            value = Self.format(now)
        }
        return value
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ seconds: time_t) -> [UInt8] {
        var clock = seconds
        var parts = tm()
        gmtime_r(&clock, &parts)
        func twoDigits(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let text =
            "\(days[Int(parts.tm_wday)]), \(twoDigits(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec)) GMT"
        return Array(text.utf8)
    }
}

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
        let hex = Array("0123456789abcdef".utf8)
        let high = next()
        let low = next()
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0..<16 {
                buffer[index] = hex[Int(truncatingIfNeeded: high >> (60 - 4 * index)) & 0xF]
                buffer[16 + index] = hex[Int(truncatingIfNeeded: low >> (60 - 4 * index)) & 0xF]
            }
            return 32
        }
    }

    /// A client's id is kept only when it cannot break a log line or a header.
    static func isAcceptable(_ id: String) -> Bool {
        let bytes = id.utf8
        return (1...128).contains(bytes.count)
            && bytes.allSatisfy { $0.isTokenCharacter || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/") }
    }
}
