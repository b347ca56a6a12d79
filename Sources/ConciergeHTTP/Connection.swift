#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import HTTPTypes
import Logging

/// One client socket, from accept to close, on its worker's queue.
///
/// Dispatch on Linux has two traps this type is shaped around: a read source left registered on a
/// hung-up socket fires forever (swift-corelibs-libdispatch #644), so the read source is cancelled as
/// soon as `read` returns 0 or fails; and a new source for a descriptor number that is still
/// registered corrupts the epoll bookkeeping (#833), so the descriptor is closed only in the last
/// cancel handler, after Dispatch has let go of it. Each socket has one read source for its whole life.
final class Connection {
    private enum State {
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
    private let worker: Worker
    private var state = State.open
    private let input = InputBuffer()
    private var parser: HTTPRequestParser
    private var output: [UInt8] = []
    private var outputOffset = 0

    private var readSource: (any DispatchSourceRead)?
    private var readSuspended = false
    private var writeSource: (any DispatchSourceWrite)?
    private var writeSourceArmed = false
    private var liveSources = 0
    private var peerClosed = false

    private var head: HTTPRequestHead?
    private var headCompletedAt: UInt64 = 0
    /// When the first byte of the request being parsed arrived.
    private var requestBegan: UInt64?
    private var lastActivity: UInt64
    private var requestsServed = 0
    private var discardedWhileLingering = 0

    private var context: ServerContext { worker.context }
    private var configuration: HTTPServerConfiguration { worker.context.configuration }

    init(fd: Int32, worker: Worker) {
        self.fd = fd
        self.worker = worker
        parser = HTTPRequestParser(limits: worker.context.configuration.limits)
        lastActivity = MonotonicClock.now()
    }

    func start(rejecting: Bool) {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: worker.queue)
        source.setEventHandler { [unowned self] in self.readable() }
        source.setCancelHandler { [self] in self.sourceCancelled() }
        liveSources += 1
        readSource = source
        source.resume()
        if rejecting {
            let error = HTTPError(
                .serviceUnavailable, code: "too_many_connections",
                message: "the server has \(configuration.maxConnections) open connections; try again shortly")
            respond(toUnparsable: error)
            flush()
        }
    }

    // MARK: Reading

    private func readable() {
        let count = input.read(from: fd)
        if count > 0 {
            worker.statistics.add(count, to: .bytesReceived)
            lastActivity = MonotonicClock.now()
            guard case .open = state else {
                // Closing: nothing more will be answered, so what arrives is dropped (within reason).
                discardedWhileLingering += count
                input.consume(input.readableCount)
                if discardedWhileLingering > Self.maxLingerDiscard { close() }
                return
            }
            processInput()
            flush()
        } else if count == 0 {
            peerClosedItsSide()
        } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
            close()
        }
    }

    private static let maxLingerDiscard = 1 << 20
    /// Past this much unsent output, stop reading new requests until the client catches up.
    private static let outputHighWater = 256 * 1024

    private func processInput() {
        while case .open = state, output.count - outputOffset < Self.outputHighWater {
            if requestBegan == nil, !input.isEmpty { requestBegan = lastActivity }
            let event: HTTPParserEvent?
            do {
                event = try parser.next(input)
            } catch {
                respond(toUnparsable: error)
                return
            }
            guard let event else { break }
            switch event {
            case .head(let requestHead):
                head = requestHead
                headCompletedAt = lastActivity
                worker.statistics.add(1, to: .requestsStarted)
                if requestHead.expectsContinue, parser.phase == .body, input.isEmpty {
                    output.append(contentsOf: ResponseSerializer.continueResponse)
                }
            case .end(let body):
                guard let requestHead = head else { continue }
                head = nil
                requestBegan = nil
                handle(requestHead, body: body)
            }
        }
        if input.isEmpty { input.releaseExcessCapacity() }
    }

    private func peerClosedItsSide() {
        peerClosed = true
        // Cancel now: a read source on a hung-up socket would fire without end.
        cancelReadSource()
        if outputOffset < output.count {
            state = .closingAfterWrite
        } else {
            close()
        }
    }

    // MARK: Answering

    private func handle(_ requestHead: HTTPRequestHead, body: [UInt8]) {
        var clientRequestID: String?
        var authority: String?
        for field in requestHead.headerFields {
            if field.name == ResponseSerializer.requestIDField, RequestIDGenerator.isAcceptable(field.value) {
                clientRequestID = field.value
            } else if field.name == KnownField.host {
                authority = field.value
            }
        }
        let requestID = clientRequestID ?? worker.requestIDs.make()
        var routeIndex = context.statistics.unmatchedRoute
        var path = requestHead.target
        let response: HTTPServerResponse
        do {
            let target = try RequestTarget(requestHead.target)
            path = target.path
            let request = HTTPServerRequest(
                head: HTTPRequest(
                    method: requestHead.method, scheme: nil,
                    authority: authority, path: requestHead.target,
                    headerFields: requestHead.headerFields),
                version: requestHead.version, path: target.path, query: target.query, body: body,
                requestID: requestID)
            switch context.router.resolve(method: requestHead.method, path: target.path) {
            case .handler(let index, let handler):
                routeIndex = index
                response = try handler(request)
            case .methodNotAllowed(let index, let allow):
                routeIndex = index
                throw HTTPError(
                    .methodNotAllowed, code: "method_not_allowed",
                    message: "\(requestHead.method.rawValue) is not allowed on \(target.path); use \(allow)",
                    headerFields: [.allow: allow])
            case .notFound:
                throw HTTPError.notFound("no route for \(target.path)")
            }
        } catch let error as HTTPError {
            response = error.response
        } catch {
            context.logger.error(
                "handler failed", metadata: ["path": "\(path)", "request_id": "\(requestID)", "error": "\(error)"])
            response = HTTPError(.internalServerError, code: "internal_error", message: "the server failed to answer")
                .response
        }
        requestsServed += 1
        let keepAlive =
            requestHead.keepAlive && !context.drainFlag.isSet
            && requestsServed < configuration.limits.maxRequestsPerConnection
        send(
            response, requestID: requestID, method: requestHead.method, version: requestHead.version,
            keepAlive: keepAlive, routeIndex: routeIndex, path: path)
    }

    /// A request that broke the protocol: answer once, then close, as RFC 9112 asks.
    private func respond(toUnparsable error: HTTPError) {
        // A request whose head was parsed was counted as started then.
        if head == nil { worker.statistics.add(1, to: .requestsStarted) }
        headCompletedAt = MonotonicClock.now()
        let method = head?.method ?? .get
        head = nil
        send(
            error.response, requestID: worker.requestIDs.make(), method: method,
            version: .http1_1, keepAlive: false, routeIndex: context.statistics.unmatchedRoute, path: "-")
    }

    private func send(
        _ response: HTTPServerResponse, requestID: String, method: HTTPRequest.Method, version: HTTPVersion,
        keepAlive: Bool, routeIndex: Int, path: String
    ) {
        ResponseSerializer.write(
            response, requestID: requestID, date: worker.dateCache.current(), serverName: context.serverName,
            fixedHeaders: context.fixedHeaders,
            keepAlive: keepAlive, requestVersion: version, includeBody: method != .head, into: &output)
        let now = MonotonicClock.now()
        let elapsed = now - headCompletedAt
        lastActivity = now
        worker.statistics.recordRequest(
            route: routeIndex, method: method, status: response.status.code, nanoseconds: elapsed)
        if configuration.accessLog {
            context.logger.info(
                "\(method.rawValue) \(path) \(response.status.code) \(response.body.count) \(Self.milliseconds(elapsed))ms",
                metadata: ["request_id": .string(requestID)])
        }
        if !keepAlive { state = .closingAfterWrite }
    }

    private static func milliseconds(_ nanoseconds: UInt64) -> String {
        let micros = nanoseconds / 1000
        let fraction = micros % 1000
        return "\(micros / 1000)." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + "\(fraction)"
    }

    // MARK: Writing

    private func flush() {
        while outputOffset < output.count {
            let written = output.withUnsafeBytes { bytes in
                Glibc.send(fd, bytes.baseAddress! + outputOffset, bytes.count - outputOffset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                outputOffset += written
                worker.statistics.add(written, to: .bytesSent)
            } else if written < 0, errno == EINTR {
                continue
            } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                armWriteSource()
                if output.count - outputOffset >= Self.outputHighWater { suspendReading() }
                return
            } else {
                close()
                return
            }
        }
        output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
        outputOffset = 0
        disarmWriteSource()
        if case .closingAfterWrite = state {
            peerClosed ? close() : startLingering()
        } else if readSuspended || !input.isEmpty {
            // processInput() may have stopped at the high-water mark with whole requests still in
            // `input`; no read event will come for bytes already read, so carry on here.
            resumeReading()
            processInput()
            if outputOffset < output.count || { if case .closingAfterWrite = state { true } else { false } }() {
                flush()
            }
        }
    }

    private func armWriteSource() {
        if writeSource == nil {
            let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: worker.queue)
            source.setEventHandler { [unowned self] in
                lastActivity = MonotonicClock.now()
                flush()
            }
            source.setCancelHandler { [self] in self.sourceCancelled() }
            liveSources += 1
            writeSource = source
        }
        if !writeSourceArmed {
            writeSourceArmed = true
            writeSource?.resume()
        }
    }

    private func disarmWriteSource() {
        guard writeSourceArmed else { return }
        writeSourceArmed = false
        writeSource?.suspend()
    }

    private func suspendReading() {
        guard !readSuspended, let readSource else { return }
        readSuspended = true
        readSource.suspend()
    }

    private func resumeReading() {
        guard readSuspended, let readSource else { return }
        readSuspended = false
        readSource.resume()
    }

    // MARK: Closing

    private func startLingering() {
        shutdown(fd, Int32(SHUT_WR))
        state = .lingering(deadline: MonotonicClock.now() + configuration.timeouts.linger.nanoseconds)
        input.consume(input.readableCount)
        resumeReading()
    }

    /// Asked by a draining worker: close now if between requests, otherwise let the request finish
    /// (its response will carry `Connection: close`).
    func drain() {
        guard case .open = state else { return }
        if parser.phase == .betweenRequests, input.isEmpty, outputOffset == output.count, !hasUnreadBytes {
            close()
        }
    }

    /// Whether the socket holds bytes the read source has not delivered yet: a request the client
    /// sent before the drain began must be answered, not reset.
    private var hasUnreadBytes: Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    func checkTimeouts(now: UInt64) {
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
            switch parser.phase {
            case .betweenRequests where input.isEmpty:
                if (worker.isDraining && !hasUnreadBytes) || now - lastActivity > timeouts.idle.nanoseconds { close() }
            case .betweenRequests, .head:
                if let began = requestBegan, now - began > timeouts.header.nanoseconds {
                    timeOut("the request headers did not arrive within \(timeouts.header)")
                }
            case .body:
                if now - lastActivity > timeouts.bodyStall.nanoseconds {
                    timeOut("the request body stalled for \(timeouts.bodyStall)")
                }
            }
        }
    }

    private func timeOut(_ message: String) {
        respond(toUnparsable: HTTPError(.requestTimeout, code: "request_timeout", message: message))
        flush()
    }

    func close() {
        if case .closed = state { return }
        state = .closed
        cancelReadSource()
        if let writeSource {
            writeSource.cancel()
            if !writeSourceArmed {
                writeSourceArmed = true
                writeSource.resume()
            }
        }
    }

    private func cancelReadSource() {
        guard let readSource else { return }
        self.readSource = nil
        readSource.cancel()
        if readSuspended {
            readSuspended = false
            readSource.resume()
        }
    }

    private func sourceCancelled() {
        liveSources -= 1
        guard liveSources == 0 else { return }
        state = .closed
        Glibc.close(fd)
        worker.connectionClosed(fd)
    }
}
