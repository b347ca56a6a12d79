import ConciergeSystem
import Glibc

/// What reading or writing a model version's files can fail with. Each description is one line that names
/// the file concerned, so an operator can act on it without a stack trace.
public enum ModelFileError: Error, CustomStringConvertible, Sendable {
    /// `ModelArtifacts.validate()` refused the model; nothing was written.
    case invalidArtifacts(String)
    /// A file of a model (or its manifest) is missing, damaged or inconsistent.
    case invalidFile(path: String, problem: String)
    case fileSystem(path: String, operation: String, code: Int32)

    public var description: String {
        switch self {
        case .invalidArtifacts(let message):
            return "invalid model artifacts: \(message)"
        case .invalidFile(let path, let problem):
            return "\(path): \(problem)"
        case .fileSystem(let path, let operation, let code):
            return "\(path): cannot \(operation): \(String(cString: strerror(code)))"
        }
    }

    /// A system call on the file at `path`, through `SystemCall` (retried on EINTR); a failure names the file
    /// and the operation, such as `fsync`.
    package static func systemCall<Result: SignedInteger>(
        on path: String, _ operation: StaticString, _ call: () -> Result
    ) throws(ModelFileError) -> Result {
        do {
            return try SystemCall.retryingInterrupts(operation, call)
        } catch {
            throw .fileSystem(path: path, operation: error.call, code: error.errno)
        }
    }

    /// For the calls that report failure by a sentinel rather than a negative number (mmap).
    package static func lastFileSystemError(_ path: String, _ operation: String) -> ModelFileError {
        .fileSystem(path: path, operation: operation, code: errno)
    }
}
