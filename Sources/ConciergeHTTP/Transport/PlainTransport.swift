#if canImport(Glibc)
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
        let count = input.read(from: fd)
        if count > 0 { return .bytes(count) }
        if count == 0 { return .endOfStream }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? .wouldBlock : .failed
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TransportWriteResult {
        while true {
            // MSG_NOSIGNAL: a peer that reset the connection must not raise SIGPIPE.
            let written = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if written > 0 { return .wrote(written) }
            if written < 0, errno == EINTR { continue }
            return written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? .wouldBlock : .failed
        }
    }

    var hasUnreadBytes: Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }
}
