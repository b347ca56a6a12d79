/// What one `ConnectionTransport.read` gave.
enum TransportReadResult {
    /// This many bytes of HTTP were appended to the input.
    case bytes(Int)
    /// Nothing more for now; the read source fires again when more arrives.
    case wouldBlock
    /// TLS has a handshake message to send before it can read on, and the socket is full.
    case wouldBlockUntilWritable
    /// The TLS handshake has just finished, with the protocol ALPN chose (nil: the client offered none).
    case established(ApplicationProtocol?)
    case endOfStream
    /// A socket error, or TLS that cannot go on (a failed handshake, a corrupt record).
    case failed
}
