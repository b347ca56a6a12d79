#if canImport(Glibc)
    import Glibc
#endif

/// The one way Concierge makes an errno-reporting system call, in every module: retried while it is
/// interrupted (EINTR), and a failure reported as a `SystemCall.Failure` carrying the call's name and errno.
///
/// Not apple/swift-system: its `FileDescriptor` covers read, write and close (with the same retry), but not the
/// socket calls that are most of what the server makes (socket, bind, listen, accept, send, recv, setsockopt,
/// shutdown), nor fsync, flock, mkdir or rename that the model files and the registry need; depending on it for
/// three calls would leave two styles side by side.
package enum SystemCall {
    package struct Failure: Error, Equatable, CustomStringConvertible {
        /// The call that failed, such as `accept`.
        package var call: String
        package var errno: Int32

        package init(call: String, errno: Int32) {
            self.call = call
            self.errno = errno
        }

        /// strerror's sentence, such as "Too many open files".
        package var reason: String { String(cString: strerror(errno)) }
        package var description: String { "\(call): \(reason)" }
        /// A non-blocking descriptor has nothing to give, or no room to take, right now.
        package var wouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK }
    }

    /// Runs `call` until it is not interrupted; a negative result is a failure with errno's value.
    @inline(__always)
    package static func retryingInterrupts<Result: SignedInteger>(
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
    package static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
