import Dispatch
import Logging
import Synchronization

/// One serial queue and the connections it owns. Everything here is touched only on `queue`,
/// which is why it needs no locks.
final class Worker: @unchecked Sendable {
    let index: Int
    let queue: DispatchQueue
    let context: ServerContext
    let statistics: StatisticsShard
    var dateCache = HTTPDateCache()
    var requestIDs = RequestIDGenerator()
    private(set) var isDraining = false
    private var connections: [Int32: Connection] = [:]
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
    func start() {
        assertOnQueue()
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + Self.sweepInterval, repeating: Self.sweepInterval, leeway: .milliseconds(50))
        timer.setEventHandler { [unowned self] in self.sweep() }
        timer.resume()
        sweepTimer = timer
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

    /// Takes ownership of an accepted socket. Called on `queue`.
    func adopt(_ fd: Int32, rejecting: Bool) {
        assertOnQueue()
        let transport: any ConnectionTransport =
            if let tls = context.tls { TLSTransport(fd: fd, context: tls.current) } else { PlainTransport(fd: fd) }
        let connection = Connection(fd: fd, worker: self, transport: transport)
        connections[fd] = connection
        connection.start(rejecting: rejecting)
    }

    /// Called from a connection's last cancel handler, after its descriptor is closed.
    func connectionClosed(_ fd: Int32) {
        assertOnQueue()
        connections[fd] = nil
        context.statistics.openConnections.subtract(1, ordering: .relaxed)
        context.heapTrimmer.noteFreed()
        if isDraining, connections.isEmpty { finishDraining() }
    }

    func beginDraining(onDrained: @escaping @Sendable () -> Void) {
        assertOnQueue()
        isDraining = true
        self.onDrained = onDrained
        for connection in connections.values { connection.drain() }
        if connections.isEmpty { finishDraining() }
    }

    func closeAll() {
        assertOnQueue()
        for connection in connections.values { connection.close() }
    }

    private func finishDraining() {
        let callback = onDrained
        onDrained = nil
        sweepTimer?.cancel()
        callback?()
    }

    private func sweep() {
        assertOnQueue()
        let now = MonotonicClock.now()
        for connection in connections.values {
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
