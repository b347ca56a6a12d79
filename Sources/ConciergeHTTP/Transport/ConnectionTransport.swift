#if canImport(Glibc)
    import ConciergeSystem
    import Glibc
#endif

/// How a connection's bytes cross the socket: as they are (`PlainTransport`) or through TLS
/// (`TLSTransport`). `Connection` owns the socket and its Dispatch sources and asks the transport only
/// to move bytes, so the protocol handlers above never know which one they run on.
protocol ConnectionTransport: AnyObject {
    /// Whether bytes are encrypted on the wire: h2c upgrade is for cleartext only (RFC 9113 §3.1).
    var isEncrypted: Bool { get }
    /// False until the TLS handshake is done; a cleartext transport is ready from the start.
    var isEstablished: Bool { get }
    /// Reads what has arrived into `input`.
    func read(into input: InputBuffer) -> TransportReadResult
    /// Writes a prefix of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) -> TransportWriteResult
    /// Whether bytes are waiting that no read has returned yet, in the kernel or in the transport.
    var hasUnreadBytes: Bool { get }
    /// Ends our direction politely (TLS close_notify, then FIN) while the peer may still send.
    func shutdownWrite()
}

extension ConnectionTransport {
    /// Whether the kernel holds bytes for `fd` that no read has taken yet.
    static func socketHasUnreadBytes(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let peeked = try? SystemCall.retryingInterrupts("recv") { recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) }
        return (peeked ?? 0) > 0
    }

    /// Sends FIN: the peer reads the end of the stream, and may still send.
    static func shutdownWrite(_ fd: Int32) {
        _ = try? SystemCall.retryingInterrupts("shutdown") { shutdown(fd, Int32(SHUT_WR)) }
    }
}
