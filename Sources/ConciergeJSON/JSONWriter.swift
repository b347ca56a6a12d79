#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Writes JSON text straight into bytes: every JSON the service produces (HTTP answers, error bodies, the
/// ingest quarantine) goes through it, so strings are escaped one way and no answer is built as a `String`.
///
/// The caller writes the punctuation and keys itself (`writeRaw(#"{"id":"#)`); the writer escapes strings and
/// spells numbers. Strings keep every character but `"`, `\` and the C0 controls verbatim; those become `\"`,
/// `\\`, `\n`, `\r`, `\t` or `\u00XX`.
///
/// The text grows in raw memory, where an append is a capacity check and a copy (Array's `append(contentsOf:)`
/// costs about 60 instructions more). `collect` writes in its thread's memory for answers and hands the text
/// over in an array it reuses; a writer made by `init` has memory of its own, copied into an array by `bytes`.
/// The writer may own its memory, so it cannot be copied.
public struct JSONWriter: ~Copyable, @unchecked Sendable {
    // The appends that every answer makes many times (`writeRaw`) are inlined into their callers: a call with
    // a closure per append cost about 30 instructions more than the copy.
    @usableFromInline var start: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    /// False while the writer fills memory lent by `collect`: it is not freed, and growing copies it out.
    @usableFromInline var ownsMemory: Bool
    @usableFromInline var written = 0

    /// How many bytes are written.
    public var count: Int { written }

    /// `capacity`: roughly the length of the finished text, so that the memory is allocated once.
    public init(reservingCapacity capacity: Int = 0) {
        self.capacity = max(capacity, 64)
        start = Self.allocate(self.capacity)
        ownsMemory = true
    }

    private init(lending memory: UnsafeMutableBufferPointer<UInt8>) {
        start = memory.baseAddress!
        capacity = memory.count
        ownsMemory = false
    }

    deinit { if ownsMemory { free(start) } }

    /// The text written so far, copied into an array.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: start, count: count)) }

    /// The text `write` writes, in an array: the thread's memory for answers is written in, then its array refilled
    /// (`CollectMemory` says why). `capacity` is roughly the length of the text.
    public static func collect(reservingCapacity capacity: Int, _ write: (inout JSONWriter) -> Void) -> [UInt8] {
        let memory = CollectMemory.current
        if memory.isLent {
            var writer = JSONWriter(reservingCapacity: capacity)
            write(&writer)
            return writer.bytes
        }
        var writer = JSONWriter(lending: memory.lend(atLeast: capacity))
        write(&writer)
        return memory.handOver(UnsafeBufferPointer(start: writer.start, count: writer.written))
    }

    /// `malloc`: `UnsafeMutablePointer.allocate` takes the runtime's aligned path, `posix_memalign`, at five
    /// times the instructions.
    private static func allocate(_ capacity: Int) -> UnsafeMutablePointer<UInt8> {
        guard let memory = malloc(capacity) else { fatalError("out of memory for \(capacity) bytes of JSON") }
        return memory.assumingMemoryBound(to: UInt8.self)
    }

    /// Appends `fragment` as it stands: punctuation and keys, or JSON written earlier.
    @inlinable @inline(__always)
    public mutating func writeRaw(_ fragment: StaticString) {
        fragment.withUTF8Buffer { writeRaw($0) }
    }

    /// Appends `fragment` as it stands: JSON written earlier, such as a precomputed part of an answer.
    @inlinable
    public mutating func writeRaw(_ fragment: ArraySlice<UInt8>) {
        fragment.withUnsafeBufferPointer { writeRaw($0) }
    }

    /// Appends `fragment` as it stands.
    @inlinable @inline(__always)
    public mutating func writeRaw(_ fragment: UnsafeBufferPointer<UInt8>) {
        guard let source = fragment.baseAddress, !fragment.isEmpty else { return }
        reserve(fragment.count)
        (start + written).initialize(from: source, count: fragment.count)
        written &+= fragment.count
    }

    /// Lets `write` put at most `maximum` bytes at the end of the text through the pointer it is given; it returns
    /// how many it wrote.
    mutating func writeInPlace(maximum: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(maximum)
        written &+= write(start + written)
    }

    private mutating func append(_ byte: UInt8) {
        reserve(1)
        start[written] = byte
        written &+= 1
    }

    /// Room for `more` bytes after the text. The arithmetic on `written` is unchecked here and where text is
    /// appended: it never exceeds `capacity`, which is an allocation's size, so it cannot overflow.
    @inlinable
    mutating func reserve(_ more: Int) {
        if capacity &- written < more { grow(toFit: more) }
    }

    /// At least doubles the memory.
    @inline(never) @usableFromInline
    mutating func grow(toFit more: Int) {
        let grown = max(2 * capacity, written + more)
        if ownsMemory {
            guard let moved = realloc(start, grown) else { fatalError("out of memory for \(grown) bytes of JSON") }
            start = moved.assumingMemoryBound(to: UInt8.self)
        } else {
            let moved = Self.allocate(grown)
            moved.initialize(from: start, count: written)
            start = moved
            ownsMemory = true
        }
        capacity = grown
    }

    public mutating func writeString(_ value: String) {
        // A native or small string lends its bytes where it is; `withUTF8` needs a copy of the string, which costs a
        // retain and a release.
        let lent: Void? = value.utf8.withContiguousStorageIfAvailable { writeString(utf8: $0) }
        guard lent == nil else { return }
        var value = value
        value.withUTF8 { writeString(utf8: $0) }
    }

    /// `null` for nil.
    public mutating func writeString(_ value: String?) {
        if let value { writeString(value) } else { writeNull() }
    }

    /// A string given as its UTF-8 bytes, which must be valid UTF-8.
    public mutating func writeString(utf8 value: UnsafeBufferPointer<UInt8>) {
        append(UInt8(ascii: "\""))
        // Runs of bytes that need no escape are copied at once.
        var runStart = 0
        while true {
            let next = Self.firstToEscape(in: value, from: runStart)
            writeRaw(UnsafeBufferPointer(rebasing: value[runStart..<next]))
            guard next < value.count else { break }
            writeEscape(of: value[next])
            runStart = next + 1
        }
        append(UInt8(ascii: "\""))
    }

    /// The offset of the first byte from `start` on that a string must escape (`"`, `\\` or a C0 control), or
    /// `value.count`. Eight bytes at a time, as bits of a word, as `ConciergeHTTP`'s `ByteScan` reads a request
    /// target. Each test flags its lowest byte exactly (a borrow only reaches the bytes above a flagged one).
    private static func firstToEscape(in value: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = value.baseAddress else { return 0 }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var offset = start
        while offset + 8 <= value.count {
            let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
            let quote = word ^ (UInt64(UInt8(ascii: "\"")) &* ones)
            let backslash = word ^ (0x5C &* ones)
            let flags =
                ((word &- 0x20 &* ones) | (quote &- ones) | (backslash &- ones)) & ~word & highBits
            if flags != 0 { return offset + UInt64(littleEndian: flags).trailingZeroBitCount / 8 }
            offset += 8
        }
        while offset < value.count {
            let byte = value[offset]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == 0x5C { break }
            offset += 1
        }
        return offset
    }

    public mutating func writeInteger(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            writeRaw(UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// The shortest spelling that reads back as `value`, as Swift prints it; `value` must be finite.
    public mutating func writeNumber(_ value: Float) {
        // A `Float`'s description is at most 15 bytes, which a `String` holds inline: nothing is allocated.
        var text = value.description
        text.withUTF8 { writeRaw($0) }
    }

    /// A whole number below 10¹⁵ without a fraction (`12`), any other in the shortest spelling that reads back
    /// as `value` (`12.5`); `value` must be finite.
    public mutating func writeNumber(_ value: Double) {
        if value == value.rounded(), abs(value) < 1e15 {
            writeInteger(Int(value))
        } else {
            var text = value.description
            text.withUTF8 { writeRaw($0) }
        }
    }

    public mutating func writeNull() {
        writeRaw("null")
    }

    private mutating func writeEscape(of byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): writeRaw(#"\""#)
        case 0x5C: writeRaw(#"\\"#)
        case UInt8(ascii: "\n"): writeRaw(#"\n"#)
        case UInt8(ascii: "\r"): writeRaw(#"\r"#)
        case UInt8(ascii: "\t"): writeRaw(#"\t"#)
        default:
            writeRaw(#"\u00"#)
            append(Self.hexDigit(byte >> 4))
            append(Self.hexDigit(byte & 0xF))
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
