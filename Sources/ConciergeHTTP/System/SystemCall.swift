#if canImport(Glibc)
import Glibc
#endif

/// The one way this module makes an errno-reporting system call: retried while it is interrupted (EINTR),
/// and a failure reported as a `SystemCall.Failure` carrying the call's name and errno.
///
/// Not apple/swift-system: its `FileDescriptor` covers read, write and close (with the same retry), but not the
/// socket calls that are most of what the server makes (socket, bind, listen, accept, send, recv, setsockopt,
/// shutdown); depending on it for three calls would leave two styles side by side. This file depends on nothing
/// else in the module, so it can move into a shared module as it is.
enum SystemCall {
    struct Failure: Error, Equatable, CustomStringConvertible {
        /// The call that failed, such as `accept`.
        var call: String
        var errno: Int32

        /// strerror's sentence, such as "Too many open files".
        var reason: String { String(cString: strerror(errno)) }
        var description: String { "\(call): \(reason)" }
        /// A non-blocking descriptor has nothing to give, or no room to take, right now.
        var wouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK }
    }

    /// Runs `call` until it is not interrupted; a negative result is a failure with errno's value.
    @inline(__always)
    static func retryingInterrupts<Result: SignedInteger>(
        _ name: StaticString, _ call: () -> Result
    ) throws(Failure) -> Result {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code != EINTR { throw Failure(call: "\(name)", errno: code) }
        }
    }

    /// Never retried: Linux frees the descriptor even when close(2) reports EINTR, so a second close could
    /// close a descriptor another thread has just been given. Its errors tell nothing the caller could act on.
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
