import Dispatch
public import Logging
import Synchronization

#if canImport(Glibc)
    import ConciergeSystem
    import Glibc
#endif

/// Concierge's HTTP server: HTTP/1.1 and HTTP/2 (libnghttp2), in cleartext or over TLS (OpenSSL), on
/// non-blocking sockets, connections spread over one serial queue per core, each queue woken by one Dispatch
/// source over an epoll set of its sockets.
///
/// Hand-written rather than built on SwiftNIO by design: the service answers small requests on two
/// cores, and a few serial queues with no futures or tasks in the path measured faster here than
/// Hummingbird 2, the one NIO-based server compared (docs/benchmarks.md).
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    public let statistics: HTTPServerStatistics
    private let context: ServerContext
    let workers: [Worker]
    private let acceptQueue = DispatchQueue(label: "concierge.http.accept", qos: .userInitiated)
    private let state = Mutex(LifecycleState())
    private let stopped = DispatchSemaphore(value: 0)

    private struct LifecycleState {
        var listener: Listener?
        var acceptSource: (any DispatchSourceRead)?
        var nextWorker = 0
        var acceptPaused = false
        var stopSignalled = false
        var drainDeadlinePassed = false
    }

    public init(configuration: HTTPServerConfiguration, router: HTTPRouter, logger: Logger) {
        self.configuration = configuration
        let shardCount = configuration.queueCount + 1
        statistics = HTTPServerStatistics(routePaths: router.routePaths, shardCount: shardCount)
        let context = ServerContext(
            configuration: configuration, router: router, statistics: statistics, logger: logger,
            serverName: Array(configuration.serverName.utf8),
            fixedHeaders: ResponseSerializer.fixedHeaderBytes(configuration.responseHeaders),
            http2FixedFields: HTTP2HeaderBlock.fixedFields(configuration.responseHeaders),
            tls: configuration.tls.map { ReloadableTLSContext(configuration: $0) }, heapTrimmer: HeapTrimmer(),
            drainFlag: DrainFlag())
        self.context = context
        workers = (0..<configuration.queueCount).map { Worker(index: $0, context: context) }
    }

    /// The port actually bound (useful when configured with port 0).
    public var port: Int { state.withLock { $0.listener?.port ?? configuration.port } }

    /// True from the start of a graceful shutdown.
    var isDraining: Bool { context.drainFlag.isSet }

    /// Loads the TLS certificate and key (when configured), binds the socket and starts accepting.
    /// Returns once the server is listening.
    public func start() throws {
        if let tls = context.tls {
            try tls.reload()
            // OpenSSL writes to the socket with write(2), which raises SIGPIPE when the client has reset
            // the connection; the cleartext path avoids it per call with MSG_NOSIGNAL.
            signal(SIGPIPE, SIG_IGN)
        }
        let listener = try Listener(host: configuration.host, port: configuration.port)
        for worker in workers { try worker.queue.sync { try worker.start() } }
        state.withLock { state in
            let source = DispatchSource.makeReadSource(fileDescriptor: listener.fd, queue: acceptQueue)
            source.setEventHandler { [self] in acceptPending(on: listener.fd) }
            source.setCancelHandler { SystemCall.close(listener.fd) }
            state.listener = listener
            state.acceptSource = source
            source.resume()
        }
        context.logger.info(
            "listening",
            metadata: [
                "address": "\(configuration.host):\(listener.port)", "queues": "\(workers.count)",
                "tls": "\(context.tls != nil)",
            ])
    }

    /// Reads the TLS certificate and key files again: handshakes from now on use them, connections
    /// already open keep theirs. On failure (a missing file, a key that does not match) the certificate in
    /// use stays and the error says what is wrong.
    public func reloadTLS() throws {
        guard let tls = context.tls else {
            throw TLSContext.Failure(description: "the server was not configured with a TLS certificate")
        }
        try tls.reload()
        context.logger.info(
            "reloaded the TLS certificate",
            metadata: ["certificate": "\(tls.configuration.certificateChainPath)"])
    }

    private func acceptPending(on listenFD: Int32) {
        let acceptShard = statistics.shard(workers.count)
        while true {
            let fd: Int32
            do {
                // Glibc's module map hides accept4, so the flags are set with fcntl.
                fd = try SystemCall.retryingInterrupts("accept") { accept(listenFD, nil, nil) }
            } catch {
                switch error.errno {
                case ECONNABORTED: continue
                case EMFILE, ENFILE: pauseAccepting(reason: error.reason)
                default: break
                }
                return
            }
            _ = try? SystemCall.retryingInterrupts("fcntl") {
                fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
            _ = try? SystemCall.retryingInterrupts("fcntl") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
            let openNow = statistics.openConnections.load(ordering: .relaxed)
            // Past the cap, answer 503 on a small allowance of extra sockets; past that, just close.
            guard openNow < configuration.maxConnections + Self.rejectionAllowance else {
                acceptShard.add(1, to: .connectionsRejected)
                SystemCall.close(fd)
                continue
            }
            let rejecting = openNow >= configuration.maxConnections
            acceptShard.add(1, to: rejecting ? .connectionsRejected : .connectionsAccepted)
            statistics.openConnections.add(1, ordering: .relaxed)
            var noDelay: Int32 = 1
            _ = try? SystemCall.retryingInterrupts("setsockopt") {
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            }
            let worker = state.withLock { state in
                defer { state.nextWorker = (state.nextWorker + 1) % workers.count }
                return workers[state.nextWorker]
            }
            worker.queue.async { worker.adopt(fd, rejecting: rejecting) }
        }
    }

    private static let rejectionAllowance = 64

    /// Out of descriptors: the listening socket stays readable, so stop watching it for a moment
    /// instead of spinning on `accept`.
    private func pauseAccepting(reason: String) {
        context.logger.warning("cannot accept connections", metadata: ["reason": "\(reason)"])
        state.withLock { state in
            guard let source = state.acceptSource, !state.acceptPaused else { return }
            state.acceptPaused = true
            source.suspend()
        }
        acceptQueue.asyncAfter(deadline: .now() + .milliseconds(100)) { [self] in
            state.withLock { state in
                guard state.acceptPaused, let source = state.acceptSource else { return }
                state.acceptPaused = false
                source.resume()
            }
        }
    }

    /// Starts a graceful shutdown: stop accepting, let in-flight requests finish with
    /// `Connection: close`, close idle connections. Past the drain timeout, closes what is left.
    public func shutdown() {
        guard context.drainFlag.set() else { return }
        context.logger.info("draining", metadata: ["timeout": "\(configuration.drainTimeout)"])
        state.withLock { state in
            state.acceptSource?.cancel()
            // A suspended source runs its cancel handler (which closes the socket) only once resumed.
            if state.acceptPaused { state.acceptSource?.resume() }
            state.acceptPaused = false
            state.acceptSource = nil
        }
        let drained = DispatchGroup()
        for worker in workers {
            drained.enter()
            worker.queue.async { worker.beginDraining { drained.leave() } }
        }
        drained.notify(queue: acceptQueue) { [self] in signalStopped(forced: false) }
        acceptQueue.asyncAfter(deadline: .now() + .nanoseconds(Int(configuration.drainTimeout.nanoseconds))) {
            [self] in
            // Closing the last connections also finishes the drain (on another thread); mark the
            // deadline first so that path does not report a forced drain as a clean one.
            state.withLock { $0.drainDeadlinePassed = true }
            for worker in workers { worker.queue.sync { worker.closeAll() } }
            signalStopped(forced: true)
        }
    }

    private func signalStopped(forced: Bool) {
        let (first, deadlinePassed) = state.withLock { state in
            defer { state.stopSignalled = true }
            return (!state.stopSignalled, state.drainDeadlinePassed)
        }
        guard first else { return }
        if forced || deadlinePassed {
            context.logger.warning(
                "drain timeout reached; closed the remaining connections",
                metadata: ["open_connections": "\(statistics.openConnections.load(ordering: .relaxed))"])
        } else {
            context.logger.info("drained")
        }
        stopped.signal()
    }

    /// Blocks until a shutdown has drained (or timed out).
    public func waitUntilStopped() {
        stopped.wait()
        // Pass it on, so every caller (and every later call) returns.
        stopped.signal()
    }
}
