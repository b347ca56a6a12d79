import ConciergeSystem
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
        do throws(RegistryError) {
            _ = try RegistryError.systemCall(on: path, "create directory") { mkdir(path, 0o755) }
            try syncDirectory(parent)
        } catch .modelFile(.fileSystem(_, _, EEXIST)) where isDirectory(path) {
            return
        }
    }

    static func createDirectory(_ path: String) throws(RegistryError) {
        _ = try RegistryError.systemCall(on: path, "create directory") { mkdir(path, 0o755) }
    }

    /// Flushes a folder's entries (new files, renames) to disk.
    static func syncDirectory(_ path: String) throws(RegistryError) {
        let descriptor = try RegistryError.systemCall(on: path, "open directory") {
            open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        defer { SystemCall.close(descriptor) }
        _ = try RegistryError.systemCall(on: path, "fsync directory") { fsync(descriptor) }
    }

    static func rename(_ source: String, to destination: String) throws(RegistryError) {
        do throws(RegistryError) {
            _ = try RegistryError.systemCall(on: source, "rename") { Glibc.rename(source, destination) }
        } catch .modelFile(.fileSystem(_, _, let code)) {
            throw .fileSystem(path: source, operation: "rename to \(destination)", code: code)
        }
    }

    /// Removes a file or a folder and everything in it; symbolic links are removed, not followed.
    static func removeTree(_ path: String) throws(RegistryError) {
        // Gone already (another gc, a publisher's cleanup) is what was wanted.
        do throws(RegistryError) {
            var status = stat()
            _ = try RegistryError.systemCall(on: path, "stat") { lstat(path, &status) }
            if (status.st_mode & S_IFMT) == S_IFDIR {
                for entry in entries(of: path) { try removeTree(path + "/" + entry) }
                _ = try RegistryError.systemCall(on: path, "remove directory") { rmdir(path) }
            } else {
                _ = try RegistryError.systemCall(on: path, "remove") { unlink(path) }
            }
        } catch .modelFile(.fileSystem(_, _, ENOENT)) {
            return
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
            let descriptor: Int32
            do throws(RegistryError) {
                descriptor = try RegistryError.systemCall(on: path, "open directory") {
                    open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                }
            } catch .modelFile(.fileSystem(_, _, ENOENT)) {
                return nil
            }
            do throws(RegistryError) {
                _ = try RegistryError.systemCall(on: path, "lock") { flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) }
            } catch {
                SystemCall.close(descriptor)
                if case .modelFile(.fileSystem(_, _, EWOULDBLOCK)) = error { return nil }
                throw error
            }
            self.path = path
            self.descriptor = descriptor
        }

        deinit { SystemCall.close(descriptor) }

        /// Whether the locked folder is still the one at `path` (gc may have removed it between our
        /// mkdir and our lock).
        var isStillInPlace: Bool {
            var locked = stat()
            var current = stat()
            return fstat(descriptor, &locked) == 0 && stat(path, &current) == 0
                && locked.st_ino == current.st_ino && locked.st_dev == current.st_dev
        }

        func sync() throws(RegistryError) {
            _ = try RegistryError.systemCall(on: path, "fsync directory") { fsync(descriptor) }
        }
    }
}
