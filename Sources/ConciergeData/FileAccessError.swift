import ConciergeSystem
import Foundation

/// A file that could not be opened, read or written, with the system's reason.
public struct FileAccessError: Error, CustomStringConvertible, Sendable {
    public var path: String
    /// "open", "read", "write", …
    public var action: String
    public var reason: String

    public var description: String { "\(path): cannot \(action): \(reason)" }

    /// Takes the reason from `errno`, so call it straight after the failing system call.
    init(path: String, action: String) {
        self.path = path
        self.action = action
        self.reason = String(cString: strerror(errno))
    }

    /// A system call on the file at `path`, through `SystemCall` (retried on EINTR); a failure says what was
    /// being done to the file (`action`, such as "read").
    static func systemCall<Result: SignedInteger>(
        on path: String, _ action: StaticString, _ call: () -> Result
    ) throws(FileAccessError) -> Result {
        do {
            return try SystemCall.retryingInterrupts(action, call)
        } catch {
            var failure = FileAccessError(path: path, action: error.call)
            failure.reason = error.reason
            throw failure
        }
    }
}
