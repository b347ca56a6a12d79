import HTTPTypes

/// HTTP/1.0 and 1.1 on one connection: the incremental parser over the connection's input, requests
/// answered in order (pipelining costs one write), `Expect: 100-continue`, keep-alive, the header and
/// body deadlines, and the switch to HTTP/2 when the first request asks for `Upgrade: h2c`.
final class HTTP1Handler: HTTPProtocolHandler {
    private var parser: HTTPRequestParser
    private var head: HTTPRequestHead?
    private var headCompletedAt: UInt64 = 0
    /// When the first byte of the request being parsed arrived.
    private var requestBegan: UInt64?
    private var requestsServed = 0
    private let allowsUpgrade: Bool

    /// `requestBegan`: when the first byte arrived, if a `PrefaceDetector` already waited on it, so its
    /// wait counts against the header deadline.
    init(limits: HTTPServerConfiguration.Limits, allowsUpgrade: Bool, requestBegan: UInt64? = nil) {
        parser = HTTPRequestParser(limits: limits)
        self.allowsUpgrade = allowsUpgrade
        self.requestBegan = requestBegan
    }

    func process(_ connection: Connection) {
        let input = connection.input
        while case .open = connection.state, connection.pendingOutputCount < Connection.outputHighWater {
            if requestBegan == nil, !input.isEmpty { requestBegan = connection.lastActivity }
            let event: HTTPParserEvent?
            do {
                event = try parser.next(input)
            } catch {
                respond(connection, toUnparsable: error)
                return
            }
            guard let event else { break }
            switch event {
            case .head(let requestHead):
                head = requestHead
                headCompletedAt = connection.lastActivity
                connection.worker.statistics.add(1, to: .requestsStarted)
                if requestHead.expectsContinue, parser.phase == .body, input.isEmpty {
                    connection.output.append(contentsOf: ResponseSerializer.continueResponse)
                }
            case .end(let body):
                guard let requestHead = head.take() else { continue }
                requestBegan = nil
                // Only a connection's first request may upgrade: that is where clients ask, and it keeps
                // the header scan off every later request.
                if requestsServed == 0, allowsUpgrade, upgrade(connection, requestHead, body: body) { return }
                handle(connection, requestHead, body: body)
            }
        }
        if input.isEmpty { input.releaseExcessCapacity() }
    }

    func outputDrained(_ connection: Connection) {
        // `process` may have stopped at the high-water mark with whole requests still in the input;
        // no read event will come for bytes already read, so carry on here.
        if !connection.input.isEmpty { process(connection) }
    }

    /// Answers the request on HTTP/2's stream 1 after `101 Switching Protocols`, when it asks for h2c
    /// properly and the server is not draining. Returns whether it did.
    private func upgrade(_ connection: Connection, _ requestHead: HTTPRequestHead, body: [UInt8]) -> Bool {
        guard !connection.context.drainFlag.isSet, let upgrade = H2CUpgrade(requestHead) else { return false }
        let http2 = HTTP2Handler(connection)
        guard http2.acceptUpgrade(upgrade, request: requestHead, body: body, headCompletedAt: headCompletedAt)
        else { return false }
        connection.output.append(contentsOf: H2CUpgrade.switchingProtocols)
        connection.switchProtocol(to: http2)
        return true
    }

    private func handle(_ connection: Connection, _ requestHead: HTTPRequestHead, body: [UInt8]) {
        let worker = connection.worker
        let requestID = requestHead.clientRequestID ?? worker.requestIDs.make()
        let routed = worker.route(
            method: requestHead.method, scheme: nil, authority: requestHead.authority, target: requestHead.target,
            headerFields: requestHead.headerFields, version: requestHead.version, body: body, requestID: requestID,
            clientAddress: { connection.clientAddress })
        requestsServed += 1
        let keepAlive =
            requestHead.keepAlive && !connection.context.drainFlag.isSet
            && requestsServed < parser.limits.maxRequestsPerConnection
        send(
            connection, routed, requestID: requestID, method: requestHead.method, version: requestHead.version,
            keepAlive: keepAlive)
    }

    func reject(_ connection: Connection, with error: HTTPError) {
        respond(connection, toUnparsable: error)
    }

    /// A request that broke the protocol: answer once, then close, as RFC 9112 asks.
    private func respond(_ connection: Connection, toUnparsable error: HTTPError) {
        // A request whose head was parsed was counted as started then.
        if head == nil { connection.worker.statistics.add(1, to: .requestsStarted) }
        headCompletedAt = MonotonicClock.now()
        let method = head?.method ?? .get
        let routed = connection.worker.refusal(
            error, requestHeaderFields: head?.headerFields ?? parser.headerFieldsSoFar)
        head = nil
        send(
            connection, routed, requestID: connection.worker.requestIDs.make(), method: method, version: .http1_1,
            keepAlive: false)
    }

    private func send(
        _ connection: Connection, _ routed: RoutedResponse, requestID: String, method: HTTPRequest.Method,
        version: HTTPVersion, keepAlive: Bool
    ) {
        let worker = connection.worker
        ResponseSerializer.write(
            routed.response, requestID: requestID, date: worker.dateCache.current(),
            serverName: connection.context.serverName, fixedHeaders: connection.context.fixedHeaders,
            keepAlive: keepAlive, requestVersion: version, includeBody: method != .head, into: &connection.output)
        let now = MonotonicClock.now()
        connection.lastActivity = now
        worker.record(routed, method: method, requestID: requestID, elapsedNanoseconds: now - headCompletedAt)
        if !keepAlive { connection.closeAfterWrite() }
    }

    /// Close now if between requests, otherwise let the request finish (its response will carry
    /// `Connection: close`).
    func drain(_ connection: Connection) {
        if parser.phase == .betweenRequests, connection.input.isEmpty, connection.pendingOutputCount == 0,
            !connection.hasUnreadBytes
        {
            connection.close()
        }
    }

    /// A request whose head arrived and whose body did not was counted as started; it ends unanswered.
    func connectionClosed(_ connection: Connection) {
        if head != nil { connection.worker.statistics.add(1, to: .requestsAbandoned) }
    }

    func checkTimeouts(_ connection: Connection, now: UInt64) {
        let timeouts = connection.configuration.timeouts
        switch parser.phase {
        case .betweenRequests where connection.input.isEmpty:
            // Closed without a 408: no request has begun.
            if (connection.worker.isDraining && !connection.hasUnreadBytes)
                || connection.hasWaitedTooLongForARequest(now: now, answeredAny: requestsServed > 0)
            {
                connection.close()
            }
        case .betweenRequests, .head:
            if let began = requestBegan, now - began > timeouts.header.nanoseconds {
                timeOut(connection, "the request headers did not arrive within \(timeouts.header)")
            }
        case .body:
            if now - connection.lastActivity > timeouts.bodyStall.nanoseconds {
                timeOut(connection, "the request body stalled for \(timeouts.bodyStall)")
            }
        }
    }

    private func timeOut(_ connection: Connection, _ message: String) {
        respond(connection, toUnparsable: HTTPError(.requestTimeout, code: "request_timeout", message: message))
        connection.flush()
    }
}
