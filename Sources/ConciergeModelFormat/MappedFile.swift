import ConciergeDigest
import ConciergeSystem
import Dispatch
import Glibc
import Synchronization

/// A whole file mapped read-only (`PROT_READ`, `MAP_PRIVATE`): the loaded model's arrays point
/// straight into these pages, so nothing is copied and the kernel shares them between processes.
/// Unmapped when the last reference goes, which views keep alive by holding one.
package final class MappedFile: ModelMemory, @unchecked Sendable {
    // @unchecked: the mapping is read-only and never changes after init.
    /// The path as the registry names it in errors.
    package let path: String
    package let bytes: UnsafeRawBufferPointer

    package init(path: String) throws(ModelFileError) {
        self.path = path
        let descriptor: Int32
        do {
            descriptor = try ModelFileError.systemCall(on: path, "open") { open(path, O_RDONLY | O_CLOEXEC) }
        } catch {
            if case .fileSystem(_, _, ENOENT) = error { throw .invalidFile(path: path, problem: "missing") }
            throw error
        }
        defer { SystemCall.close(descriptor) }
        var status = stat()
        _ = try ModelFileError.systemCall(on: path, "stat") { fstat(descriptor, &status) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .invalidFile(path: path, problem: "not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            // mmap refuses empty lengths; an empty file is an empty buffer.
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw .lastFileSystemError(path, "map")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    /// A small file's bytes, copied while the mapping is alive.
    package static func contents(of path: String) throws(ModelFileError) -> [UInt8] {
        let file = try MappedFile(path: path)
        return withExtendedLifetime(file) { Array(file.bytes) }
    }

    /// SHA-256 of the mapped bytes, asking the kernel to read ahead so a cold file streams from disk.
    package func sha256() -> String {
        if let base = bytes.baseAddress {
            madvise(UnsafeMutableRawPointer(mutating: base), bytes.count, MADV_WILLNEED)
        }
        var hasher = OpenSSLSHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Typed view of `count` elements at `offset`, which the file format keeps 64-byte aligned.
    func elements<T>(of type: T.Type, at offset: Int, count: Int) -> UnsafeBufferPointer<T> {
        precondition(offset + count * MemoryLayout<T>.stride <= bytes.count)
        guard count > 0, let base = bytes.baseAddress else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: (base + offset).bindMemory(to: T.self, capacity: count), count: count)
    }

    /// Digests of several files, on every core: each worker takes the next file, largest first, so the
    /// big factor file starts at once while the others share the remaining cores.
    package static func sha256(of files: [MappedFile]) -> [String] {
        let order = files.indices.sorted { files[$0].bytes.count > files[$1].bytes.count }
        let digests = Mutex([String](repeating: "", count: files.count))
        DispatchQueue.concurrentPerform(iterations: files.count) { step in
            let index = order[step]
            let digest = files[index].sha256()
            digests.withLock { $0[index] = digest }
        }
        return digests.withLock { $0 }
    }
}
