#if canImport(Glibc)
    import ConciergeSystem
    import Glibc
#endif

/// Cleartext: one `read(2)` or `send(2)` per call, straight on the socket.
final class PlainTransport: ConnectionTransport {
    private let fd: Int32

    init(fd: Int32) {
        self.fd = fd
    }

    var isEncrypted: Bool { false }
    var isEstablished: Bool { true }

    func read(into input: InputBuffer) -> TransportReadResult {
        do {
            let count = try input.read(from: fd)
            return count > 0 ? .bytes(count) : .endOfStream
        } catch {
            return error.wouldBlock ? .wouldBlock : .failed
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TransportWriteResult {
        do {
            // MSG_NOSIGNAL: a peer that reset the connection must not raise SIGPIPE.
            let written = try SystemCall.retryingInterrupts("send") {
                Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            }
            return written > 0 ? .wrote(written) : .failed
        } catch {
            return error.wouldBlock ? .wouldBlock : .failed
        }
    }

    var hasUnreadBytes: Bool { Self.socketHasUnreadBytes(fd) }

    func shutdownWrite() {
        Self.shutdownWrite(fd)
    }
}
