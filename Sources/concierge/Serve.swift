public import ArgumentParser
import ConciergeAPI
import ConciergeHTTP
import ConciergeRegistry
import ConciergeServing
import Dispatch
import Foundation
import HTTPTypes
public import Logging

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve recommendations from a registry version until SIGTERM or SIGINT, then drain and exit 0.",
        discussion: """
            Start-up: resolve --version (a number or an alias) once, start listening (/health says "loading"), \
            verify every model file's SHA-256 against the manifest, map the files, check them, warm up, then report \
            ready. Any failure names the file and what is wrong, and the process exits non-zero.

            The port speaks HTTP/1.1 and HTTP/2 (with prior knowledge or through Upgrade: h2c). With --tls-cert \
            and --tls-key it speaks TLS only (1.2 or later), and ALPN chooses h2 or http/1.1; --tls-client-ca \
            also asks every client for a certificate signed by those CAs. SIGHUP reads the certificate and key \
            again: new handshakes use them, open connections keep theirs; if they cannot be used, the old ones stay.

            Every option can also be set in the environment as CONCIERGE_ and its name in capitals with \
            underscores: CONCIERGE_PORT=8081, CONCIERGE_COLOR=green, CONCIERGE_ACCESS_LOG=false, \
            CONCIERGE_TLS_CERT=/etc/concierge/cert.pem, and CONCIERGE_CORS_ORIGINS as a space-separated list. A \
            flag on the command line wins over the environment.

            With --api-keys, every route but /health and /live needs Authorization: Bearer and a key holding the \
            route's scope: recommend (/recommend, /similar), model (/model) or metrics (/metrics); 401 without a \
            valid key, 403 without the scope. SIGHUP reads the key file again. `concierge keys new` makes a key.
            """)

    @Option(help: "Address to listen on.")
    var host = "0.0.0.0"

    @Option(help: "TCP port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: "The model registry folder.")
    var registry = "models"

    @Option(help: "The model to serve.")
    var model = "roomservice"

    @Option(help: "The version to serve: a number or an alias such as production.")
    var version = "production"

    @Option(help: "This instance's deployment colour (blue or green), reported in headers, /health and metrics.")
    var color = "blue"

    @Option(help: "Serial queues to spread connections over (default: one per core).")
    var queues = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Open connections past which new ones get 503.")
    var maxConnections = 10_000

    @Option(help: "Seconds a graceful shutdown waits for in-flight requests.")
    var drainTimeout = 25.0

    @Option(
        help: """
            Seconds from a request's first byte to the end of its headers before 408; a new connection's first \
            request (TLS handshake included) must also arrive within it, or the connection is closed.
            """)
    var headerTimeout = 10.0

    @Option(help: "Seconds a request body may stall before 408.")
    var bodyTimeout = 10.0

    @Option(help: "Seconds a keep-alive connection is kept open between requests.")
    var idleTimeout = 75.0

    @Option(help: "Longest request line, in bytes (414 past it).")
    var maxRequestLine = 8 * 1024

    @Option(help: "Largest header section, in bytes (431 past it).")
    var maxHeaderBytes = 32 * 1024

    @Option(help: "Most header fields in one request (431 past it).")
    var maxHeaders = 100

    @Option(help: "Largest request body, in bytes (413 past it).")
    var maxBodyBytes = 1024 * 1024

    @Option(help: "Requests answered on one connection before it is closed (HTTP/2: before GOAWAY).")
    var maxRequestsPerConnection = 10_000

    @Option(help: "HTTP/2 streams one connection may have open at once (more are reset).")
    var maxConcurrentStreams = 100

    @Option(help: "PEM certificate chain (the server's certificate first): serve TLS only. Needs --tls-key.")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "PEM CA certificates: require every client to present a certificate they signed (mutual TLS).")
    var tlsClientCa: String?

    @Option(
        help: ArgumentHelp(
            "A web page origin allowed to call from a browser (CORS), exactly scheme://host[:port]; repeatable.",
            valueName: "origin"))
    var corsOrigin: [String] = []

    @Option(
        help: ArgumentHelp(
            "The API key file (lines from `concierge keys new`): protected routes then need a key.",
            valueName: "file"))
    var apiKeys: String?

    @Option(
        help: """
            Requests a second allowed per API key (per client address without --api-keys), such as 50/s; past \
            it, 429 with Retry-After. /health and /live are not limited. Default: no limit.
            """)
    var rateLimit: RequestRate?

    @Option(help: "Requests a client may send at once within --rate-limit (default: one second's worth).")
    var rateBurst: Int?

    @Flag(inversion: .prefixedNo, help: "Log one line per request.")
    var accessLog = true

    @Option(help: "Lowest log level written: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    /// The options and flags the environment may set, as they are spelled on the command line.
    static let environmentOptions = [
        "host", "port", "registry", "model", "version", "color", "queues", "max-connections", "drain-timeout",
        "header-timeout", "body-timeout", "idle-timeout", "max-request-line", "max-header-bytes", "max-headers",
        "max-body-bytes", "max-requests-per-connection", "max-concurrent-streams", "tls-cert", "tls-key",
        "tls-client-ca", "log-level", "api-keys", "rate-limit", "rate-burst",
    ]

    /// `CONCIERGE_*` variables turned into the arguments they stand for, for options not given on the command line.
    static func environmentArguments(
        given arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        func variable(_ option: String) -> String {
            "CONCIERGE_" + option.uppercased().replacingOccurrences(of: "-", with: "_")
        }
        func isGiven(_ option: String) -> Bool {
            arguments.contains { $0 == "--\(option)" || $0.hasPrefix("--\(option)=") || $0 == "--no-\(option)" }
        }
        var extra: [String] = []
        for option in environmentOptions where !isGiven(option) {
            if let value = environment[variable(option)] { extra += ["--\(option)", value] }
        }
        if !isGiven("cors-origin"), let origins = environment["CONCIERGE_CORS_ORIGINS"] {
            for origin in origins.split(whereSeparator: \.isWhitespace) { extra += ["--cors-origin", String(origin)] }
        }
        if !isGiven("access-log"), let value = environment[variable("access-log")] {
            extra.append(["0", "false", "no", "off"].contains(value.lowercased()) ? "--no-access-log" : "--access-log")
        }
        return extra
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard queues >= 1 else { throw ValidationError("--queues must be at least 1") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard maxConcurrentStreams >= 1 else { throw ValidationError("--max-concurrent-streams must be at least 1") }
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both or neither")
        }
        guard tlsClientCa == nil || tlsCert != nil else {
            throw ValidationError(
                "--tls-client-ca verifies clients of a TLS listener: give --tls-cert and --tls-key too")
        }
        guard !color.isEmpty, color.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw ValidationError("--color must be a word such as blue or green")
        }
        if let problem = corsOrigin.lazy.compactMap(CORSPolicy.problem(with:)).first {
            throw ValidationError("--cors-origin \(problem)")
        }
        guard rateBurst == nil || rateLimit != nil else { throw ValidationError("--rate-burst needs --rate-limit") }
        guard (rateBurst ?? 1) >= 1 else { throw ValidationError("--rate-burst must be at least 1") }
        for (name, value) in [
            ("--drain-timeout", drainTimeout), ("--header-timeout", headerTimeout),
            ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout),
        ] where !(value > 0) {
            throw ValidationError("\(name) must be a positive number of seconds")
        }
    }

    func run() throws {
        SignalMask.blockInAllThreads(SIGTERM, SIGINT, SIGHUP)
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "concierge")

        let models = ModelRegistry(directory: registry)
        let resolvedVersion = try models.resolve(model: model, versionOrAlias: version)
        let state = ServiceState()
        let service = ConciergeService(color: color, state: state)
        var router = HTTPRouter()
        service.register(on: &router)
        let access = try accessControl()
        if let access {
            router.accessControl = access
            service.export(access)
        }
        let server = HTTPServer(
            configuration: serverConfiguration(
                headers: ConciergeService.identityHeaders(model: model, version: resolvedVersion, color: color)),
            router: router, logger: logger)
        service.export(server.statistics)
        do {
            try server.start()
        } catch {
            throw CommandFailure("\(error)")
        }
        let signals = ShutdownSignals { signal in
            logger.info("received \(signal); shutting down")
            state.beginDraining()
            server.shutdown()
        }
        let reload = ReloadSignal {
            if let keys = access?.keys {
                do {
                    try keys.reload()
                    logger.info("reloaded the API keys", metadata: ["keys": "\(keys.count)"])
                } catch {
                    logger.error("SIGHUP: kept the API keys in use: \(error)")
                }
            }
            guard server.configuration.tls != nil else {
                if access?.keys == nil { logger.info("SIGHUP: nothing to reload (no --tls-cert or --api-keys)") }
                return
            }
            do {
                try server.reloadTLS()
            } catch {
                logger.error("SIGHUP: kept the TLS certificate in use: \(error)")
            }
        }

        let loading = ContinuousClock.now
        do {
            let loaded = try models.open(model: model, versionOrAlias: String(resolvedVersion))
            let recommender = Recommender(model: loaded, threads: ProcessInfo.processInfo.activeProcessorCount)
            recommender.warmUp()
            let seconds = (ContinuousClock.now - loading) / .seconds(1)
            service.install(
                LoadedService(
                    model: loaded, recommender: recommender, color: color, loadedAt: Date(), loadSeconds: seconds))
            logger.info(
                "ready",
                metadata: [
                    "model": "\(model)", "version": "\(resolvedVersion)", "kind": "\(loaded.kind.rawValue)",
                    "color": "\(color)", "load_seconds": "\(seconds)",
                ])
        } catch {
            logger.critical("cannot serve \(model) version \(resolvedVersion): \(error)")
            throw CommandFailure("cannot serve \(model) version \(resolvedVersion): \(error)")
        }
        server.waitUntilStopped()
        withExtendedLifetime((signals, reload)) {}
    }

    /// CORS, API keys and the rate limit as configured; nil when none is, so that nothing changes.
    private func accessControl() throws -> HTTPAccessControl? {
        guard !corsOrigin.isEmpty || apiKeys != nil || rateLimit != nil else { return nil }
        let keys: APIKeyStore?
        do { keys = try apiKeys.map(APIKeyStore.init(path:)) } catch { throw CommandFailure("\(error)") }
        return HTTPAccessControl(
            cors: corsOrigin.isEmpty
                ? nil : CORSPolicy(allowedOrigins: corsOrigin, exposedHeaders: ConciergeService.identityHeaderNames),
            keys: keys,
            rateLimiter: rateLimit.map {
                RateLimiter(.init(perSecond: $0.perSecond, burst: rateBurst ?? max(1, Int($0.perSecond.rounded(.up)))))
            },
            routeAccess: ConciergeService.routeAccess)
    }

    /// `validate()` has made sure the certificate and key come together.
    private var tls: HTTPServerConfiguration.TLS? {
        guard let tlsCert, let tlsKey else { return nil }
        return .init(certificateChainPath: tlsCert, privateKeyPath: tlsKey, clientCAPath: tlsClientCa)
    }

    private func serverConfiguration(headers: HTTPFields) -> HTTPServerConfiguration {
        HTTPServerConfiguration(
            host: host, port: port, queueCount: queues,
            limits: .init(
                maxRequestLineBytes: maxRequestLine, maxHeaderLineBytes: min(maxRequestLine, maxHeaderBytes),
                maxHeaderBytes: maxHeaderBytes, maxHeaderCount: maxHeaders, maxBodyBytes: maxBodyBytes,
                maxRequestsPerConnection: maxRequestsPerConnection),
            timeouts: .init(
                header: .seconds(headerTimeout), bodyStall: .seconds(bodyTimeout), idle: .seconds(idleTimeout)),
            maxConnections: maxConnections, drainTimeout: .seconds(drainTimeout), accessLog: accessLog,
            responseHeaders: headers,
            tls: tls,
            http2: .init(maxConcurrentStreams: maxConcurrentStreams))
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
