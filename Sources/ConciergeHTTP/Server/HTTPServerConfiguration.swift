import Foundation
public import HTTPTypes

/// Everything an `HTTPServer` can be told: where to listen, how many queues to use, whether to speak
/// TLS, and the limits and timeouts that protect it from slow or hostile clients.
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Serial queues connections are spread over; one per core uses every core without lock contention.
    public var queueCount: Int
    public var limits: Limits
    public var timeouts: Timeouts
    /// Past this many open connections, new ones get 503 and are closed.
    public var maxConnections: Int
    /// How long a graceful shutdown waits for in-flight requests before closing what is left.
    public var drainTimeout: Duration
    public var serverName: String
    /// One log line per request at `info`, through swift-log.
    public var accessLog: Bool
    /// Added to every response, errors included (e.g. which model version and colour answered).
    public var responseHeaders: HTTPFields
    /// When set, the listener speaks TLS only, and ALPN chooses HTTP/2 or HTTP/1.1.
    public var tls: TLS?
    public var http2: HTTP2

    public init(
        host: String = "0.0.0.0",
        port: Int = 8080,
        queueCount: Int = HTTPServerConfiguration.defaultQueueCount,
        limits: Limits = Limits(),
        timeouts: Timeouts = Timeouts(),
        maxConnections: Int = 10_000,
        drainTimeout: Duration = .seconds(25),
        serverName: String = "concierge",
        accessLog: Bool = true,
        responseHeaders: HTTPFields = [:],
        tls: TLS? = nil,
        http2: HTTP2 = HTTP2()
    ) {
        self.host = host
        self.port = port
        self.queueCount = max(1, queueCount)
        self.limits = limits
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.drainTimeout = drainTimeout
        self.serverName = serverName
        self.accessLog = accessLog
        self.responseHeaders = responseHeaders
        self.tls = tls
        self.http2 = http2
    }

    /// One queue per core the process may run on.
    public static var defaultQueueCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Sizes that bound what one request may make the server hold in memory.
    public struct Limits: Sendable, Equatable {
        public var maxRequestLineBytes: Int
        public var maxHeaderLineBytes: Int
        public var maxHeaderBytes: Int
        public var maxHeaderCount: Int
        public var maxBodyBytes: Int
        public var maxRequestsPerConnection: Int

        public init(
            maxRequestLineBytes: Int = 8 * 1024,
            maxHeaderLineBytes: Int = 8 * 1024,
            maxHeaderBytes: Int = 32 * 1024,
            maxHeaderCount: Int = 100,
            maxBodyBytes: Int = 1024 * 1024,
            maxRequestsPerConnection: Int = 10_000
        ) {
            self.maxRequestLineBytes = maxRequestLineBytes
            self.maxHeaderLineBytes = maxHeaderLineBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderCount = maxHeaderCount
            self.maxBodyBytes = maxBodyBytes
            self.maxRequestsPerConnection = maxRequestsPerConnection
        }
    }

    public struct Timeouts: Sendable, Equatable {
        /// From the first byte of a request to the end of its headers (defeats slowloris); also from the accept
        /// to the first byte of a new connection's first request, TLS handshake included.
        public var header: Duration
        /// The longest pause allowed between two pieces of a request body.
        public var bodyStall: Duration
        /// How long a keep-alive connection may sit between requests (after its first one).
        public var idle: Duration
        /// How long a closing connection keeps reading (and discarding) so the client sees the last response.
        public var linger: Duration

        public init(
            header: Duration = .seconds(10),
            bodyStall: Duration = .seconds(10),
            idle: Duration = .seconds(75),
            linger: Duration = .seconds(2)
        ) {
            self.header = header
            self.bodyStall = bodyStall
            self.idle = idle
            self.linger = linger
        }
    }

    /// PEM files, read at start and again on `HTTPServer.reloadTLS()`.
    public struct TLS: Sendable, Equatable {
        /// The server's certificate, followed by any intermediates.
        public var certificateChainPath: String
        public var privateKeyPath: String
        /// When set, every client must present a certificate signed by one of these CAs (mutual TLS).
        public var clientCAPath: String?

        public init(certificateChainPath: String, privateKeyPath: String, clientCAPath: String? = nil) {
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
            self.clientCAPath = clientCAPath
        }
    }

    /// What HTTP/2 adds to `Limits`; header list size, body size and requests per connection come from there.
    public struct HTTP2: Sendable, Equatable {
        /// SETTINGS_MAX_CONCURRENT_STREAMS: requests one connection may have open at once.
        public var maxConcurrentStreams: Int

        public init(maxConcurrentStreams: Int = 100) {
            self.maxConcurrentStreams = maxConcurrentStreams
        }
    }
}

extension Duration {
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds)) / 1_000_000_000
    }
}
