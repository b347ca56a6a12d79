import ConciergeDigest
import ConciergeSystem
import Glibc

/// Writes one new file of a model version, hashing every byte on its way out, so the manifest's
/// checksums cost no second read; `finish` makes the file durable and read-only.
package final class FileWriter {
    package let path: String
    private var descriptor: Int32
    private var hasher = OpenSSLSHA256()
    private var size = 0

    package init(path: String) throws(ModelFileError) {
        self.path = path
        descriptor = try ModelFileError.systemCall(on: path, "create") {
            open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
    }

    deinit { if descriptor >= 0 { SystemCall.close(descriptor) } }

    package func write(_ bytes: UnsafeRawBufferPointer) throws(ModelFileError) {
        hasher.update(bytes)
        var offset = 0
        while offset < bytes.count {
            offset += try ModelFileError.systemCall(on: path, "write") {
                Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            }
        }
        size += bytes.count
    }

    package func write<T: BitwiseCopyable>(_ elements: [T]) throws(ModelFileError) {
        // Array.withUnsafeBytes only rethrows untyped errors, so the result travels out as a Result.
        try elements.withUnsafeBytes { buffer in Result { () throws(ModelFileError) in try write(buffer) } }.get()
    }

    /// Zeros up to `offset`, where the next section of a binary file starts.
    package func pad(to offset: Int) throws(ModelFileError) {
        try write([UInt8](repeating: 0, count: offset - size))
    }

    /// fsync, make read-only (versions are immutable), close; returns the manifest entry.
    package func finish() throws(ModelFileError) -> ModelManifest.FileEntry {
        _ = try ModelFileError.systemCall(on: path, "fsync") { fsync(descriptor) }
        _ = try ModelFileError.systemCall(on: path, "chmod") { fchmod(descriptor, 0o444) }
        SystemCall.close(descriptor)
        descriptor = -1
        // finalize() consumes its hasher, which a class can only give up by swapping in a fresh one.
        var digest = OpenSSLSHA256()
        swap(&digest, &hasher)
        return ModelManifest.FileEntry(size: size, sha256: digest.finalize())
    }
}
