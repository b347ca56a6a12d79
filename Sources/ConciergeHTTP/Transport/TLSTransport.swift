import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// TLS through OpenSSL, on the connection's own non-blocking socket (`SSL_set_fd`): OpenSSL reads and
/// writes the descriptor itself and reports "would block" as `SSL_ERROR_WANT_READ` / `_WANT_WRITE`, which
/// map onto the connection's read and write sources. The handshake runs on the first reads; its end is
/// reported once, with ALPN's choice, before any HTTP byte is returned.
///
/// OpenSSL's socket writes use `write(2)`, not `send(2)` with MSG_NOSIGNAL, which is why `HTTPServer`
/// ignores SIGPIPE when it serves TLS.
final class TLSTransport: ConnectionTransport {
    private let fd: Int32
    private let session: OpaquePointer
    private(set) var isEstablished = false

    init(fd: Int32, context: TLSContext) {
        self.fd = fd
        // SSL_new and SSL_set_fd fail only when memory runs out.
        guard let session = SSL_new(context.pointer) else { fatalError("OpenSSL cannot create a TLS session") }
        self.session = session
        guard SSL_set_fd(session, fd) == 1 else { fatalError("OpenSSL cannot attach a TLS session to a socket") }
        SSL_set_accept_state(session)
    }

    deinit {
        // SSL_free drops the session from the server's cache unless the connection was shut down, taking
        // it for a broken one; that would make every TLS 1.2 resumption by session id fail. The socket is
        // closed by now, so the shutdown is only marked, never sent. A connection that failed with a fatal
        // alert had its session dropped when the alert went out.
        if isEstablished { SSL_set_shutdown(session, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN) }
        SSL_free(session)
    }

    var isEncrypted: Bool { true }

    /// The most plaintext one TLS record holds: reading into at least this much leaves nothing decrypted
    /// behind in OpenSSL, so the read source (which watches only the socket) never misses buffered bytes.
    private static let recordPlaintextBytes = 16 * 1024
    /// Per read event, like the cleartext path's one `read(2)`, so one client cannot hold a queue for long.
    private static let maxBytesPerRead = 64 * 1024

    func read(into input: InputBuffer) -> TransportReadResult {
        // OpenSSL's error queue is per thread; a stale entry would be taken for this call's error.
        ERR_clear_error()
        guard isEstablished else { return handshake() }
        var total = 0
        while total < Self.maxBytesPerRead {
            let count = input.fill(atMost: Self.recordPlaintextBytes) { buffer, capacity in
                Int(SSL_read(session, buffer, Int32(capacity)))
            }
            if count > 0 {
                total += count
                continue
            }
            let stopped = outcome(ofFailed: Int32(count))
            return total > 0 ? .bytes(total) : stopped
        }
        return .bytes(total)
    }

    private func handshake() -> TransportReadResult {
        let result = SSL_do_handshake(session)
        guard result == 1 else { return outcome(ofFailed: result) }
        isEstablished = true
        var name: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(session, &name, &length)
        guard let name, length > 0 else { return .established(nil) }
        return .established(ApplicationProtocol(alpn: UnsafeBufferPointer(start: name, count: Int(length))))
    }

    private func outcome(ofFailed result: Int32) -> TransportReadResult {
        switch SSL_get_error(session, result) {
        case SSL_ERROR_WANT_READ: .wouldBlock
        case SSL_ERROR_WANT_WRITE: .wouldBlockUntilWritable
        case SSL_ERROR_ZERO_RETURN: .endOfStream
        case SSL_ERROR_SYSCALL where errno == EINTR: .wouldBlock
        default: .failed
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TransportWriteResult {
        ERR_clear_error()
        let written = SSL_write(session, bytes.baseAddress, Int32(clamping: bytes.count))
        if written > 0 { return .wrote(Int(written)) }
        switch SSL_get_error(session, written) {
        case SSL_ERROR_WANT_WRITE: return .wouldBlock
        // SSL_ERROR_WANT_READ would mean a renegotiation, which the context refuses; waiting for room
        // to write would then spin, so it ends the connection like any other error.
        default: return .failed
        }
    }

    var hasUnreadBytes: Bool {
        SSL_pending(session) > 0 || Self.socketHasUnreadBytes(fd)
    }

    func shutdownWrite() {
        // close_notify tells the client the response was not cut short; a full socket just drops it.
        if isEstablished {
            ERR_clear_error()
            _ = SSL_shutdown(session)
        }
        Self.shutdownWrite(fd)
    }
}
