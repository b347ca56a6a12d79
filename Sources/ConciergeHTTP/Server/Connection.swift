import Dispatch

#if canImport(Glibc)
    import ConciergeSystem
    import Glibc
#endif

/// One client socket, from accept to close, on its worker's queue: what it waits for in the worker's epoll
/// set, the bytes in and out, lingering and closing. How the bytes cross the socket is its
/// `ConnectionTransport` (cleartext or TLS); what they mean is its `HTTPProtocolHandler` (HTTP/1.x or
/// HTTP/2), which may change once.
///
/// The socket is in the set level-triggered, and waits only for what the connection can act on now: a read
/// after the peer's end of stream, or a write with nothing to send, would be reported without end. Responses
/// are written as soon as they are made; the socket waits to be writable only while the kernel is full.
///
/// Sendable only to pass through its worker's queue: like the worker, it is touched on that queue alone.
final class Connection: @unchecked Sendable {
    enum State {
        case open
        /// The last response is queued; after it is written, close (lingering unless the peer is gone).
        case closingAfterWrite
        /// Our side is shut down; read and discard until the peer closes or the deadline passes,
        /// so a client still sending does not get a reset that destroys the response it has not read.
        case lingering(deadline: UInt64)
        case closed
    }

    let fd: Int32
    /// Strong, so a connection closed late (after a forced drain) still has its worker; the cycle
    /// ends when the worker drops the connection in `connectionClosed`.
    let worker: Worker
    private(set) var state = State.open
    /// Bytes received and not yet taken by the handler.
    let input = InputBuffer()
    /// Bytes the handler queued for the client; `flush()` writes them.
    var output: [UInt8] = []
    private var outputOffset = 0
    private let transport: any ConnectionTransport
    private var handler: any HTTPProtocolHandler
    /// The transport is ready for HTTP (TLS: the handshake is done).
    private var established: Bool
    /// Past the connection cap: refused as soon as the transport is established.
    private var rejecting = false
    private let acceptedAt: UInt64

    private let epoll: EpollSet
    /// What the socket waits for in the epoll set now.
    private var interest: EpollSet.Interest = .readable
    /// The peer ended its stream, or reading failed: nothing more will be read.
    private var readingEnded = false
    /// Past the output high-water mark: no new requests until the client reads.
    private var readSuspended = false
    /// Output is waiting for room in the kernel.
    private var writePending = false
    /// TLS must write a handshake message before it can read on; the socket's writability says when it can.
    private var readWaitsForWritable = false
    private var peerClosed = false

    var lastActivity: UInt64
    /// The peer's IP address, for a rate limit per address: looked up once, and only if asked for.
    private(set) lazy var clientAddress = Self.peerAddress(of: fd)
    private var discardedWhileLingering = 0

    /// The worker's, stored here so the handlers read its fields in place rather than copying it per request.
    let context: ServerContext
    var configuration: HTTPServerConfiguration { context.configuration }
    var pendingOutputCount: Int { output.count - outputOffset }

    /// Past this much unsent output, stop reading new requests until the client catches up.
    static let outputHighWater = 256 * 1024
    private static let maxLingerDiscard = 1 << 20

    init(fd: Int32, worker: Worker, epoll: EpollSet, transport: any ConnectionTransport) {
        self.fd = fd
        self.worker = worker
        self.epoll = epoll
        context = worker.context
        self.transport = transport
        established = transport.isEstablished
        // Over TLS this one is replaced when ALPN has chosen.
        handler = PrefaceDetector(allowsUpgrade: !transport.isEncrypted)
        acceptedAt = MonotonicClock.now()
        lastActivity = acceptedAt
    }

    private static func peerAddress(of fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let found = withUnsafeMutablePointer(to: &storage) { storage in
            storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                getpeername(fd, address, &length) == 0
                    && getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0
            }
        }
        guard found else { return "unknown" }
        return host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    func start(rejecting: Bool) {
        worker.assertOnQueue()
        self.rejecting = rejecting
        do {
            try epoll.add(fd, interest: interest)
        } catch {
            context.logger.warning("cannot watch a connection", metadata: ["reason": "\(error.reason)"])
            close()
            return
        }
        if established { refuseIfRejecting() }
    }

    /// What the worker's epoll set reported for this socket.
    func handle(_ readiness: EpollSet.Readiness) {
        worker.assertOnQueue()
        if case .closed = state { return }
        let failed = readiness.contains(.failed)
        if interest.contains(.writable), readiness.contains(.writable) || failed {
            writable()
            if case .closed = state { return }
        }
        if interest.contains(.readable), readiness.contains(.readable) || failed {
            readable()
        } else if failed, interest.isEmpty {
            // Reset while waiting for nothing: no read or write will report it, and the set would say it again.
            close()
        }
    }

    private func refuseIfRejecting() {
        guard rejecting else { return }
        rejecting = false
        handler.reject(
            self,
            with: HTTPError(
                .serviceUnavailable, code: "too_many_connections",
                message: "the server has \(configuration.maxConnections) open connections; try again shortly"))
        flush()
    }

    /// Replaces the handler for the rest of the connection, and lets the new one take what is buffered.
    func switchProtocol(to newHandler: any HTTPProtocolHandler) {
        handler = newHandler
        newHandler.process(self)
    }

    // MARK: Reading

    private func readable() {
        worker.assertOnQueue()
        switch transport.read(into: input) {
        case .bytes(let count):
            worker.statistics.add(count, to: .bytesReceived)
            lastActivity = MonotonicClock.now()
            guard case .open = state else {
                // Closing: nothing more will be answered, so what arrives is dropped (within reason).
                discardedWhileLingering += count
                input.consume(input.readableCount)
                if discardedWhileLingering > Self.maxLingerDiscard { close() }
                return
            }
            handler.process(self)
            flush()
        case .wouldBlock:
            return
        case .wouldBlockUntilWritable:
            readWaitsForWritable = true
            updateInterest()
        case .established(let chosen):
            established = true
            lastActivity = MonotonicClock.now()
            switch chosen {
            case .http2: handler = HTTP2Handler(self)
            case .http1_1: handler = HTTP1Handler(limits: configuration.limits, allowsUpgrade: false)
            case nil: handler = PrefaceDetector(allowsUpgrade: false)
            }
            refuseIfRejecting()
            // HTTP bytes may have come in the same packets as the handshake's end.
            if case .open = state { readable() }
        case .endOfStream:
            peerClosedItsSide()
        case .failed:
            if !established { worker.statistics.add(1, to: .tlsHandshakeFailures) }
            close()
        }
    }

    private func peerClosedItsSide() {
        peerClosed = true
        // A socket at its end of stream stays readable: waiting for it would wake the worker without end.
        readingEnded = true
        updateInterest()
        if outputOffset < output.count {
            state = .closingAfterWrite
        } else {
            close()
        }
    }

    /// After the queued output, close (lingering unless the peer is gone).
    func closeAfterWrite() {
        if case .open = state { state = .closingAfterWrite }
    }

    // MARK: Writing

    func flush() {
        worker.assertOnQueue()
        // A handler's timeout may have closed the connection before asking for a flush.
        if case .closed = state { return }
        while outputOffset < output.count {
            let result = output.withUnsafeBytes { bytes in
                transport.write(UnsafeRawBufferPointer(rebasing: bytes[outputOffset...]))
            }
            switch result {
            case .wrote(let written):
                outputOffset += written
                worker.statistics.add(written, to: .bytesSent)
            case .wouldBlock:
                writePending = true
                if output.count - outputOffset >= Self.outputHighWater { readSuspended = true }
                updateInterest()
                return
            case .failed:
                close()
                return
            }
        }
        output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
        outputOffset = 0
        if writePending || readSuspended {
            writePending = false
            readSuspended = false
            updateInterest()
        }
        if case .closingAfterWrite = state {
            peerClosed ? close() : startLingering()
        } else if case .open = state {
            handler.outputDrained(self)
            if outputOffset < output.count || { if case .closingAfterWrite = state { true } else { false } }() {
                flush()
            }
        }
    }

    private func writable() {
        lastActivity = MonotonicClock.now()
        if readWaitsForWritable {
            readWaitsForWritable = false
            updateInterest()
            readable()
        }
        flush()
    }

    /// Tells the epoll set what the connection can act on now, when that changed: one `epoll_ctl`, and none
    /// on the path of a request answered at once.
    private func updateInterest() {
        if case .closed = state { return }
        var wanted: EpollSet.Interest = []
        if !readingEnded, !readSuspended { wanted.insert(.readable) }
        if writePending || readWaitsForWritable { wanted.insert(.writable) }
        guard wanted != interest else { return }
        do {
            try epoll.modify(fd, interest: wanted)
            interest = wanted
        } catch {
            close()
        }
    }

    // MARK: Closing

    private func startLingering() {
        transport.shutdownWrite()
        state = .lingering(deadline: MonotonicClock.now() + configuration.timeouts.linger.nanoseconds)
        input.consume(input.readableCount)
    }

    /// Asked by a draining worker: the handler closes now if nothing is in progress, or lets what is in
    /// flight finish.
    func drain() {
        worker.assertOnQueue()
        guard case .open = state else { return }
        guard established else {
            close()
            return
        }
        handler.drain(self)
    }

    /// Whether the client has sent bytes not read yet: a request sent before a drain began must be
    /// answered, not reset.
    var hasUnreadBytes: Bool { transport.hasUnreadBytes }

    /// Whether a connection with no request in progress has waited too long for one. Its first request
    /// must begin within the header timeout of the accept (a TLS handshake included), so a client that
    /// never sends holds a slot no longer than a slow one; only between requests of a kept-alive
    /// connection does the idle timeout apply.
    func hasWaitedTooLongForARequest(now: UInt64, answeredAny: Bool) -> Bool {
        let timeouts = configuration.timeouts
        return answeredAny
            ? now - lastActivity > timeouts.idle.nanoseconds : now - acceptedAt > timeouts.header.nanoseconds
    }

    func checkTimeouts(now: UInt64) {
        worker.assertOnQueue()
        let timeouts = configuration.timeouts
        switch state {
        case .closed:
            return
        case .lingering(let deadline):
            if now >= deadline { close() }
        case .closingAfterWrite:
            if now - lastActivity > timeouts.bodyStall.nanoseconds { close() }
        case .open:
            if outputOffset < output.count {
                if now - lastActivity > timeouts.bodyStall.nanoseconds { close() }
                return
            }
            guard established else {
                // A TLS handshake gets the time a request head gets: it is where a slow client stalls first.
                if now - acceptedAt > timeouts.header.nanoseconds { close() }
                return
            }
            handler.checkTimeouts(self, now: now)
        }
    }

    /// Frees the buffers of a connection idle between requests for `idleFor` nanoseconds: thousands of
    /// kept-alive connections then cost the kernel's socket and the protocol's state, not a read and a write
    /// buffer each. Returns whether it freed anything. The next request allocates again.
    func releaseBuffersIfIdle(now: UInt64, idleFor: UInt64) -> Bool {
        worker.assertOnQueue()
        // `lastActivity` may be later than `now`: a timeout check earlier in the same sweep can move it.
        guard case .open = state, now > lastActivity, now - lastActivity >= idleFor, input.isEmpty,
            outputOffset == output.count,
            input.capacity > 0 || output.capacity > 0
        else { return false }
        input.releaseStorage()
        output = []
        outputOffset = 0
        return true
    }

    /// Stops watching the socket now; closes it, and tells the handler and the worker, on the next turn of the
    /// queue, so that a handler that closes in the middle of its work finishes that work first.
    func close() {
        worker.assertOnQueue()
        if case .closed = state { return }
        state = .closed
        epoll.remove(fd)
        worker.queue.async { [self] in
            SystemCall.close(fd)
            handler.connectionClosed(self)
            worker.connectionClosed(fd)
        }
    }
}
