public import ArgumentParser
import ConciergeHTTP
import Dispatch
import Foundation
public import Logging

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve HTTP until SIGTERM or SIGINT, then drain and exit 0.")

    @Option(help: "Address to listen on.")
    var host = "0.0.0.0"

    @Option(help: "TCP port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: "Serial queues to spread connections over (default: one per core).")
    var queues = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Open connections past which new ones get 503.")
    var maxConnections = 10_000

    @Option(help: "Seconds a graceful shutdown waits for in-flight requests.")
    var drainTimeout = 25.0

    @Option(help: "Seconds from a request's first byte to the end of its headers before 408.")
    var headerTimeout = 10.0

    @Option(help: "Seconds a request body may stall before 408.")
    var bodyTimeout = 10.0

    @Option(help: "Seconds an idle keep-alive connection is kept open.")
    var idleTimeout = 75.0

    @Option(help: "Longest request line, in bytes (414 past it).")
    var maxRequestLine = 8 * 1024

    @Option(help: "Largest header section, in bytes (431 past it).")
    var maxHeaderBytes = 32 * 1024

    @Option(help: "Most header fields in one request (431 past it).")
    var maxHeaders = 100

    @Option(help: "Largest request body, in bytes (413 past it).")
    var maxBodyBytes = 1024 * 1024

    @Option(help: "Requests answered on one connection before it is closed.")
    var maxRequestsPerConnection = 10_000

    @Flag(inversion: .prefixedNo, help: "Log one line per request.")
    var accessLog = true

    @Option(help: "Lowest log level written: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard queues >= 1 else { throw ValidationError("--queues must be at least 1") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        for (name, value) in [
            ("--drain-timeout", drainTimeout), ("--header-timeout", headerTimeout),
            ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout),
        ] where !(value > 0) {
            throw ValidationError("\(name) must be a positive number of seconds")
        }
    }

    func run() throws {
        ShutdownSignals.blockInAllThreads()
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "concierge")

        let configuration = HTTPServerConfiguration(
            host: host, port: port, queueCount: queues,
            limits: .init(
                maxRequestLineBytes: maxRequestLine, maxHeaderLineBytes: min(maxRequestLine, maxHeaderBytes),
                maxHeaderBytes: maxHeaderBytes, maxHeaderCount: maxHeaders, maxBodyBytes: maxBodyBytes,
                maxRequestsPerConnection: maxRequestsPerConnection),
            timeouts: .init(
                header: .seconds(headerTimeout), bodyStall: .seconds(bodyTimeout), idle: .seconds(idleTimeout)),
            maxConnections: maxConnections, drainTimeout: .seconds(drainTimeout), accessLog: accessLog)

        let lifecycle = ServiceLifecycle()
        var router = HTTPRouter()
        HealthRoutes(lifecycle: lifecycle).register(on: &router)
        let server = HTTPServer(configuration: configuration, router: router, logger: logger)
        do {
            try server.start()
        } catch {
            throw CommandFailure("\(error)")
        }
        let signals = ShutdownSignals { signal in
            logger.info("received \(signal); shutting down")
            lifecycle.beginDraining()
            server.shutdown()
        }
        server.waitUntilStopped()
        withExtendedLifetime(signals) {}
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
