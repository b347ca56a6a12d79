/// What one `ConnectionTransport.write` did.
enum TransportWriteResult {
    /// This many bytes of the front of the buffer left (more than zero).
    case wrote(Int)
    /// The socket is full; a write source waits for room.
    case wouldBlock
    case failed
}
