#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// One per thread: the raw memory `JSONWriter.collect` writes in, and the array it last handed a text over in.
///
/// An HTTP/1.1 answer is copied into its connection's buffer and let go of before the thread answers again, so the
/// next answer finds that array unshared and refills it, with no allocation. Allocating a new array for each
/// answer cost about 1,200 instructions a request: Array's run-time type lookup, then `malloc` and `free` of
/// about 1 KiB, which is past glibc's per-thread cache. An array still held (an HTTP/2 stream not yet sent) is
/// left to its holder and a new one is made.
final class CollectMemory {
    // Unchecked: only the thread that owns the object touches it, and the run-time check of every access to a
    // class's stored property cost about 80 instructions an answer.
    @exclusivity(unchecked) private var scratch: UnsafeMutableBufferPointer<UInt8>
    @exclusivity(unchecked) private var text: [UInt8] = []
    /// True while a text is written: a `collect` inside another's `write` gets memory of its own.
    @exclusivity(unchecked) private(set) var isLent = false

    /// What a thread keeps between answers; a larger text is handed over in an array of its own.
    private static let keptCapacity = 64 * 1024

    private init() {
        scratch = UnsafeMutableBufferPointer(start: Self.allocate(4096), count: 4096)
    }

    /// This thread's, made on first use and freed when the thread ends.
    static var current: CollectMemory {
        if let stored = pthread_getspecific(threadKey) {
            return Unmanaged<CollectMemory>.fromOpaque(stored).takeUnretainedValue()
        }
        let memory = CollectMemory()
        pthread_setspecific(threadKey, Unmanaged.passRetained(memory).toOpaque())
        return memory
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { stored in
            if let stored { Unmanaged<CollectMemory>.fromOpaque(stored).release() }
        }
        precondition(status == 0, "pthread_key_create failed with \(status)")
        return key
    }()

    /// At least `capacity` bytes to write in, until `handOver`.
    func lend(atLeast capacity: Int) -> UnsafeMutableBufferPointer<UInt8> {
        if scratch.count < capacity {
            free(scratch.baseAddress)
            scratch = UnsafeMutableBufferPointer(start: Self.allocate(capacity), count: capacity)
        }
        isLent = true
        return scratch
    }

    /// `bytes` (in the lent memory or not) in the thread's array, refilled in place when nothing else holds it.
    func handOver(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        isLent = false
        // One replacement, where emptying the array and then appending cost about 80 instructions more.
        text.replaceSubrange(text.startIndex..<text.endIndex, with: bytes)
        let handed = text
        if text.capacity > Self.keptCapacity { text = [] }
        if scratch.count > Self.keptCapacity {
            free(scratch.baseAddress)
            scratch = UnsafeMutableBufferPointer(start: Self.allocate(4096), count: 4096)
        }
        return handed
    }

    private static func allocate(_ capacity: Int) -> UnsafeMutablePointer<UInt8> {
        guard let memory = malloc(capacity) else { fatalError("out of memory for \(capacity) bytes of JSON") }
        return memory.assumingMemoryBound(to: UInt8.self)
    }
}
