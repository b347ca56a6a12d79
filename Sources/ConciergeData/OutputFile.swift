import ConciergeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A file written through a buffer with POSIX calls, so that a failed ingest can cut it back to the length it
/// had before.
package final class OutputFile {
    package let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private static let flushThreshold = 1 << 20

    package enum Mode {
        /// Keep what is there and write after it.
        case append
        /// Start empty.
        case truncate
    }

    /// `permissions` are the file's mode bits, such as `0o644`.
    package init(path: String, mode: Mode, permissions: UInt32) throws(FileAccessError) {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (mode == .append ? O_APPEND : O_TRUNC)
        descriptor = try FileAccessError.systemCall(on: path, "open for writing") {
            open(path, flags, mode_t(permissions))
        }
        buffer.reserveCapacity(Self.flushThreshold * 2)
    }

    deinit { SystemCall.close(descriptor) }

    package func append(_ bytes: some Sequence<UInt8>) throws(FileAccessError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    package func flush() throws(FileAccessError) {
        var written = 0
        while written < buffer.count {
            written += try FileAccessError.systemCall(on: path, "write") {
                buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// The file's length on disk, after a `flush()`.
    func length() throws(FileAccessError) -> Int {
        Int(try FileAccessError.systemCall(on: path, "seek") { lseek(descriptor, 0, SEEK_END) })
    }

    /// Drops what is buffered and cuts the file back to `length` bytes.
    func truncate(to length: Int) throws(FileAccessError) {
        buffer.removeAll(keepingCapacity: true)
        _ = try FileAccessError.systemCall(on: path, "truncate") { ftruncate(descriptor, off_t(length)) }
    }
}
