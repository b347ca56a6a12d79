import Foundation
import Glibc

/// The POSIX calls publish and gc need to be crash-safe (fsync of files and folders, rename, flock),
/// each turning failure into a `RegistryError` that names the path.
enum FileSystem {
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// Entry names of a folder, sorted; empty when it does not exist.
    static func entries(of directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// Creates the folder (and missing parents); a new folder's entry in its parent is flushed, so it
    /// survives a crash.
    static func ensureDirectory(_ path: String) throws(RegistryError) {
        let parent = parent(of: path)
        if !exists(parent) { try ensureDirectory(parent) }
        if mkdir(path, 0o755) == 0 {
            try syncDirectory(parent)
        } else if errno != EEXIST || !isDirectory(path) {
            throw .lastFileSystemError(path, "create directory")
        }
    }

    static func createDirectory(_ path: String) throws(RegistryError) {
        guard mkdir(path, 0o755) == 0 else { throw .lastFileSystemError(path, "create directory") }
    }

    /// Flushes a folder's entries (new files, renames) to disk.
    static func syncDirectory(_ path: String) throws(RegistryError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .lastFileSystemError(path, "open directory") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .lastFileSystemError(path, "fsync directory") }
    }

    static func rename(_ source: String, to destination: String) throws(RegistryError) {
        guard Glibc.rename(source, destination) == 0 else {
            throw .lastFileSystemError(source, "rename to \(destination)")
        }
    }

    /// Removes a file or a folder and everything in it; symbolic links are removed, not followed.
    static func removeTree(_ path: String) throws(RegistryError) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT { return }
            throw .lastFileSystemError(path, "stat")
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            for entry in entries(of: path) { try removeTree(path + "/" + entry) }
            guard rmdir(path) == 0 || errno == ENOENT else { throw .lastFileSystemError(path, "remove directory") }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw .lastFileSystemError(path, "remove") }
        }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// An exclusive `flock` on a folder, held while the descriptor is open. Publish holds one on its
    /// temporary folder; gc removes only temporary folders whose lock it can take, which means their
    /// publisher has died, since the kernel drops the lock with the process.
    final class FolderLock {
        let path: String
        private let descriptor: Int32

        /// Waits for the lock when `wait`, else returns nil if another process holds it. Also nil when
        /// the folder is gone: renamed by its publisher, or removed by another gc.
        init?(path: String, wait: Bool) throws(RegistryError) {
            let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else {
                if errno == ENOENT { return nil }
                throw .lastFileSystemError(path, "open directory")
            }
            guard flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) == 0 else {
                let code = errno
                close(descriptor)
                if code == EWOULDBLOCK { return nil }
                throw .fileSystem(path: path, operation: "lock", code: code)
            }
            self.path = path
            self.descriptor = descriptor
        }

        deinit { close(descriptor) }

        /// Whether the locked folder is still the one at `path` (gc may have removed it between our
        /// mkdir and our lock).
        var isStillInPlace: Bool {
            var locked = stat()
            var current = stat()
            return fstat(descriptor, &locked) == 0 && stat(path, &current) == 0
                && locked.st_ino == current.st_ino && locked.st_dev == current.st_dev
        }

        func sync() throws(RegistryError) {
            guard fsync(descriptor) == 0 else { throw .lastFileSystemError(path, "fsync directory") }
        }
    }
}
