import HTTPTypes
import Synchronization

/// The server's own counters, kept per worker queue so the hot path never contends:
/// each shard has a single writer (its queue), so an increment is a relaxed load and store.
/// `snapshot()` adds the shards up for `/metrics`.
public final class HTTPServerStatistics: Sendable {
    /// Upper bounds of the latency histogram buckets, in seconds (Prometheus `le`).
    public static let latencyBuckets: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
    static let methodLabels = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "other"]
    static let statusClassLabels = ["1xx", "2xx", "3xx", "4xx", "5xx"]

    /// The router's paths, then `unmatched` for 404s and requests that could not be parsed.
    let routeLabels: [String]
    private let shards: [StatisticsShard]
    let openConnections = Atomic<Int>(0)

    init(routePaths: [String], shardCount: Int) {
        routeLabels = routePaths + ["unmatched"]
        let layout = StatisticsLayout(routeCount: routeLabels.count)
        shards = (0..<shardCount).map { _ in StatisticsShard(layout: layout) }
    }

    var unmatchedRoute: Int { routeLabels.count - 1 }

    func shard(_ index: Int) -> StatisticsShard { shards[index] }

    public struct Snapshot: Sendable, Equatable {
        public struct RequestSeries: Sendable, Equatable {
            public var route: String
            public var method: String
            public var statusClass: String
            public var count: UInt64
        }

        public struct LatencySeries: Sendable, Equatable {
            public var route: String
            public var method: String
            public var statusClass: String
            /// Cumulative counts, one per `latencyBuckets` entry, then +Inf.
            public var cumulativeCounts: [UInt64]
            public var sumSeconds: Double
            public var count: UInt64 { cumulativeCounts.last ?? 0 }
        }

        /// Only series that have seen a request.
        public var requests: [RequestSeries]
        public var latency: [LatencySeries]
        public var inFlightRequests: Int
        public var openConnections: Int
        public var acceptedConnections: UInt64
        public var rejectedConnections: UInt64
        public var bytesReceived: UInt64
        public var bytesSent: UInt64
        /// TLS connections whose handshake failed: not TLS at all, no common protocol version or cipher,
        /// or (with mutual TLS) a client certificate missing or not trusted.
        public var tlsHandshakeFailures: UInt64
    }

    public func snapshot() -> Snapshot {
        let layout = StatisticsLayout(routeCount: routeLabels.count)
        var totals = [UInt64](repeating: 0, count: layout.size)
        for shard in shards {
            for index in 0..<layout.size { totals[index] &+= shard.value(at: index) }
        }
        var requests: [Snapshot.RequestSeries] = []
        var latency: [Snapshot.LatencySeries] = []
        var completed: UInt64 = 0
        for route in routeLabels.indices {
            for method in Self.methodLabels.indices {
                for statusClass in Self.statusClassLabels.indices {
                    let series = layout.series(route: route, method: method, statusClass: statusClass)
                    let count = totals[layout.requests(series)]
                    guard count > 0 else { continue }
                    completed += count
                    let labels = (
                        route: routeLabels[route], method: Self.methodLabels[method],
                        statusClass: Self.statusClassLabels[statusClass]
                    )
                    requests.append(
                        .init(route: labels.route, method: labels.method, statusClass: labels.statusClass, count: count)
                    )
                    var cumulative: [UInt64] = []
                    var running: UInt64 = 0
                    for bucket in 0...Self.latencyBuckets.count {
                        running += totals[layout.latencyBucket(series, bucket: bucket)]
                        cumulative.append(running)
                    }
                    latency.append(
                        .init(
                            route: labels.route, method: labels.method, statusClass: labels.statusClass,
                            cumulativeCounts: cumulative, sumSeconds: Double(totals[layout.latencySum(series)]) / 1e9))
                }
            }
        }
        // HTTP/2 streams the client reset before their answer are over without being answered.
        let started = totals[layout.scalar(.requestsStarted)] &- totals[layout.scalar(.requestsAbandoned)]
        return Snapshot(
            requests: requests, latency: latency,
            inFlightRequests: Int(started >= completed ? started - completed : 0),
            openConnections: openConnections.load(ordering: .relaxed),
            acceptedConnections: totals[layout.scalar(.connectionsAccepted)],
            rejectedConnections: totals[layout.scalar(.connectionsRejected)],
            bytesReceived: totals[layout.scalar(.bytesReceived)],
            bytesSent: totals[layout.scalar(.bytesSent)],
            tlsHandshakeFailures: totals[layout.scalar(.tlsHandshakeFailures)])
    }

    static func methodIndex(_ method: HTTPRequest.Method) -> Int {
        switch method {
        case .get: 0
        case .head: 1
        case .post: 2
        case .put: 3
        case .delete: 4
        case .options: 5
        case .patch: 6
        default: 7
        }
    }

    static func bucketIndex(nanoseconds: UInt64) -> Int {
        let seconds = Double(nanoseconds) / 1e9
        return latencyBuckets.firstIndex { seconds <= $0 } ?? latencyBuckets.count
    }
}

enum ScalarCounter: Int, CaseIterable {
    case requestsStarted, requestsAbandoned, connectionsAccepted, connectionsRejected, bytesReceived, bytesSent
    case tlsHandshakeFailures
}

/// Where each counter lives in a shard's flat array. A series is one (route, method, status class):
/// it has a request counter, a latency bucket per bound and a latency sum.
struct StatisticsLayout {
    let routeCount: Int
    private var methodCount: Int { HTTPServerStatistics.methodLabels.count }
    private var classCount: Int { HTTPServerStatistics.statusClassLabels.count }
    private var bucketCount: Int { HTTPServerStatistics.latencyBuckets.count + 1 }
    private var seriesCount: Int { routeCount * methodCount * classCount }

    private var latencyBase: Int { seriesCount }
    private var sumBase: Int { latencyBase + seriesCount * bucketCount }
    private var scalarBase: Int { sumBase + seriesCount }
    var size: Int { scalarBase + ScalarCounter.allCases.count }

    func series(route: Int, method: Int, statusClass: Int) -> Int {
        (route * methodCount + method) * classCount + statusClass
    }

    func requests(_ series: Int) -> Int { series }
    func latencyBucket(_ series: Int, bucket: Int) -> Int { latencyBase + series * bucketCount + bucket }
    func latencySum(_ series: Int) -> Int { sumBase + series }
    func scalar(_ counter: ScalarCounter) -> Int { scalarBase + counter.rawValue }
}

/// One queue's counters. Written only from that queue; read from anywhere.
final class StatisticsShard: @unchecked Sendable {
    let layout: StatisticsLayout
    private let counters: UnsafeMutablePointer<Atomic<UInt64>>

    init(layout: StatisticsLayout) {
        self.layout = layout
        counters = .allocate(capacity: layout.size)
        for index in 0..<layout.size { (counters + index).initialize(to: Atomic(0)) }
    }

    deinit {
        counters.deinitialize(count: layout.size)
        counters.deallocate()
    }

    func value(at index: Int) -> UInt64 { counters[index].load(ordering: .relaxed) }

    /// Single writer per shard: no read-modify-write instruction needed.
    func add(_ amount: UInt64, at index: Int) {
        let counter = counters + index
        counter.pointee.store(counter.pointee.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }

    func add(_ amount: Int, to counter: ScalarCounter) { add(UInt64(amount), at: layout.scalar(counter)) }

    func recordRequest(route: Int, method: HTTPRequest.Method, status: Int, nanoseconds: UInt64) {
        let series = layout.series(
            route: route, method: HTTPServerStatistics.methodIndex(method),
            statusClass: min(max(status / 100, 1), 5) - 1)
        add(1, at: layout.requests(series))
        add(1, at: layout.latencyBucket(series, bucket: HTTPServerStatistics.bucketIndex(nanoseconds: nanoseconds)))
        add(nanoseconds, at: layout.latencySum(series))
    }
}
