#if canImport(Glibc)
    import ConciergeSystem
    import Glibc
#endif

/// Bytes received on a connection and not yet parsed. The socket reads straight
/// into it, and the parser scans it in place, so a request is copied only into its own fields.
final class InputBuffer {
    private var storage: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var readerIndex = 0
    private(set) var writerIndex = 0

    init(capacity: Int = InputBuffer.initialCapacity) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    var readableCount: Int { writerIndex - readerIndex }
    var isEmpty: Bool { readerIndex == writerIndex }

    /// The unparsed bytes, valid until the buffer is next changed.
    var readable: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: storage + readerIndex, count: readableCount)
    }

    func consume(_ count: Int) {
        precondition(count <= readableCount)
        readerIndex += count
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    func append(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            reserveWritable(1)
            storage[writerIndex] = byte
            writerIndex += 1
        }
    }

    /// One `read(2)` into the free space (again if interrupted). Returns the count read, 0 at end of stream.
    func read(from fd: Int32, atMost count: Int = 16 * 1024) throws(SystemCall.Failure) -> Int {
        try SystemCall.retryingInterrupts("read") { fill(atMost: count) { Glibc.read(fd, $0, $1) } }
    }

    /// Lets `reader` write up to `count` bytes into the free space, and keeps as many as it returns
    /// (nothing when it returns zero or less). Returns what `reader` returned.
    func fill(atMost count: Int, _ reader: (UnsafeMutablePointer<UInt8>, Int) -> Int) -> Int {
        reserveWritable(count)
        let result = reader(storage + writerIndex, count)
        if result > 0 { writerIndex += result }
        return result
    }

    /// A connection that once took a large body should not keep its memory while idle.
    private static let retainedCapacity = 64 * 1024

    /// Called between requests; never while a parser holds a pointer into the buffer.
    func releaseExcessCapacity() {
        guard capacity > Self.retainedCapacity else { return }
        replaceEmptyStorage(capacity: Self.initialCapacity)
    }

    /// Gives all the memory back while the buffer is empty: an idle connection then holds none. The next read
    /// allocates again. Never called while a parser holds a pointer into the buffer.
    func releaseStorage() {
        replaceEmptyStorage(capacity: 0)
    }

    private static let initialCapacity = 4096

    private func replaceEmptyStorage(capacity newCapacity: Int) {
        guard isEmpty, capacity != newCapacity else { return }
        storage.deallocate()
        capacity = newCapacity
        storage = .allocate(capacity: newCapacity)
    }

    private func reserveWritable(_ count: Int) {
        if capacity - writerIndex >= count { return }
        if readerIndex > 0 {
            let live = readableCount
            memmove(storage, storage + readerIndex, live)
            readerIndex = 0
            writerIndex = live
            if capacity - writerIndex >= count { return }
        }
        var newCapacity = max(capacity * 2, Self.initialCapacity)
        while newCapacity - writerIndex < count { newCapacity *= 2 }
        let newStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStorage.initialize(from: storage, count: writerIndex)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }
}
