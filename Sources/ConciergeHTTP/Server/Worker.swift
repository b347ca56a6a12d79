import Dispatch
import Logging
import Synchronization

#if canImport(Glibc)
    import ConciergeSystem
    import Glibc
#endif

/// One serial queue and the connections it owns. Everything here is touched only on `queue`,
/// which is why it needs no locks. Its sockets share one epoll set, watched by one Dispatch read source:
/// a wake-up serves every socket that became ready together.
final class Worker: @unchecked Sendable {
    let index: Int
    let queue: DispatchQueue
    let context: ServerContext
    let statistics: StatisticsShard
    var dateCache = HTTPDateCache()
    var requestIDs = RequestIDGenerator()
    private(set) var isDraining = false
    /// Indexed by descriptor: the lookup for every ready socket is one array access.
    private var connectionsByFD: [Connection?] = []
    private var connectionCount = 0
    /// Made by `start()`, so that a server that cannot get a descriptor for it fails to start.
    private var epoll: EpollSet?
    private var epollSource: (any DispatchSourceRead)?
    private var sweepTimer: (any DispatchSourceTimer)?
    private var onDrained: (@Sendable () -> Void)?

    init(index: Int, context: ServerContext) {
        self.index = index
        self.context = context
        queue = DispatchQueue(label: "concierge.http.worker.\(index)", qos: .userInitiated)
        statistics = context.statistics.shard(index)
    }

    /// Timeouts are checked by a sweep rather than a timer per connection: a timer
    /// per connection would cost a kernel timer and a source per socket.
    func start() throws(SystemCall.Failure) {
        assertOnQueue()
        let epoll = try EpollSet()
        self.epoll = epoll
        let source = DispatchSource.makeReadSource(fileDescriptor: epoll.fd, queue: queue)
        source.setEventHandler { [unowned self] in self.serveReadySockets() }
        source.resume()
        epollSource = source
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + Self.sweepInterval, repeating: Self.sweepInterval, leeway: .milliseconds(50))
        timer.setEventHandler { [unowned self] in self.sweep() }
        timer.resume()
        sweepTimer = timer
    }

    private func serveReadySockets() {
        epoll?.forEachReady { fd, readiness in
            // A socket closed earlier in the same batch is still in its slot until its close finishes.
            guard let connection = connectionsByFD[Int(fd)] else { return }
            connection.handle(readiness)
        }
    }

    static let sweepInterval = DispatchTimeInterval.milliseconds(250)

    /// Stops a debug build when called off `queue`, where nothing of this worker or its connections may be
    /// touched. Debug only: Dispatch's `dispatchPrecondition` is a `precondition`, which release builds keep.
    @inline(__always)
    func assertOnQueue() {
        #if DEBUG
            dispatchPrecondition(condition: .onQueue(queue))
        #endif
    }

    /// Takes ownership of an accepted socket. Called on `queue`, after `start()`.
    func adopt(_ fd: Int32, rejecting: Bool) {
        assertOnQueue()
        guard let epoll else { preconditionFailure("a worker adopted a socket before it started") }
        let transport: any ConnectionTransport =
            if let tls = context.tls { TLSTransport(fd: fd, context: tls.current) } else { PlainTransport(fd: fd) }
        let connection = Connection(fd: fd, worker: self, epoll: epoll, transport: transport)
        let slot = Int(fd)
        if slot >= connectionsByFD.count {
            connectionsByFD.append(contentsOf: repeatElement(nil, count: slot + 1 - connectionsByFD.count))
        }
        connectionsByFD[slot] = connection
        connectionCount += 1
        connection.start(rejecting: rejecting)
    }

    /// Called when a connection has finished closing, after its descriptor is closed.
    func connectionClosed(_ fd: Int32) {
        assertOnQueue()
        connectionsByFD[Int(fd)] = nil
        connectionCount -= 1
        context.statistics.openConnections.subtract(1, ordering: .relaxed)
        context.heapTrimmer.noteFreed()
        if isDraining, connectionCount == 0 { finishDraining() }
    }

    func beginDraining(onDrained: @escaping @Sendable () -> Void) {
        assertOnQueue()
        isDraining = true
        self.onDrained = onDrained
        forEachConnection { $0.drain() }
        if connectionCount == 0 { finishDraining() }
    }

    func closeAll() {
        assertOnQueue()
        forEachConnection { $0.close() }
    }

    private func forEachConnection(_ body: (Connection) -> Void) {
        for case let connection? in connectionsByFD { body(connection) }
    }

    private func finishDraining() {
        let callback = onDrained
        onDrained = nil
        sweepTimer?.cancel()
        epollSource?.cancel()
        callback?()
    }

    private func sweep() {
        assertOnQueue()
        let now = MonotonicClock.now()
        forEachConnection { connection in
            connection.checkTimeouts(now: now)
            if connection.releaseBuffersIfIdle(now: now, idleFor: Self.idleBufferLifetime) {
                context.heapTrimmer.noteFreed()
            }
        }
        context.heapTrimmer.trimIfWorthwhile()
    }

    /// How long a connection keeps its buffers between requests: longer than the gap between a busy client's
    /// requests, so that the hot path never pays for them again.
    static let idleBufferLifetime: UInt64 = 1_000_000_000
}

enum MonotonicClock {
    static func now() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }
}

/// What every worker shares, fixed once the server starts.
struct ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let router: HTTPRouter
    let statistics: HTTPServerStatistics
    let logger: Logger
    let serverName: [UInt8]
    /// `HTTPServerConfiguration.responseHeaders`, ready to copy into every response.
    let fixedHeaders: [UInt8]
    /// The same, as HTTP/2 field names and values.
    let http2FixedFields: [(name: [UInt8], value: [UInt8])]
    /// Set when the server speaks TLS; `HTTPServer.start()` loads it before accepting.
    let tls: ReloadableTLSContext?
    let heapTrimmer: HeapTrimmer
    /// Set by `HTTPServer.shutdown()` itself, before the workers' queues hear of it, so a response
    /// finished in between already says `Connection: close`.
    let drainFlag: DrainFlag
}

final class DrainFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    var isSet: Bool { flag.load(ordering: .relaxed) }

    /// Sets the flag; true only for the call that set it.
    func set() -> Bool { !flag.exchange(true, ordering: .relaxed) }
}
