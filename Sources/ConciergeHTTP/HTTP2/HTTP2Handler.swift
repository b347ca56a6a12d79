import CNghttp2
import HTTPTypes

/// HTTP/2 on one connection, through libnghttp2's session API: nghttp2 does the framing, HPACK, flow
/// control, stream states and protocol checks. This type feeds it the bytes that arrived
/// (`nghttp2_session_mem_recv`), gathers each request from its callbacks, answers complete ones through the
/// same router and handlers as HTTP/1.1, and moves the frames nghttp2 produces (`nghttp2_session_mem_send`)
/// onto the connection's output, so HTTP/2 runs on the same read and write sources as HTTP/1.1.
///
/// Limits map onto HTTP/2's ways of refusing: nghttp2 enforces the SETTINGS_MAX_CONCURRENT_STREAMS we send
/// (RST_STREAM(REFUSED_STREAM) while the client has not acknowledged it, GOAWAY(PROTOCOL_ERROR) once it has);
/// a header list too large or too long → 431, a body too large → 413, a stalled body → 408, each followed by
/// RST_STREAM(NO_ERROR) when the client is still sending (RFC 9113 §8.1); draining, the request cap and the
/// connection cap → GOAWAY, letting open streams finish.
final class HTTP2Handler: HTTPProtocolHandler {
    private let session: OpaquePointer
    private var streams: [Int32: HTTP2Stream] = [:]
    /// Streams whose request is complete or refused, answered once nghttp2 has returned from `mem_recv`.
    private var ready: [Int32] = []
    private let limits: HTTPServerConfiguration.Limits
    private let statistics: StatisticsShard
    private var requestsAnswered = 0
    private var goingAway = false
    /// Past the connection cap: every request gets this, then GOAWAY.
    private var rejection: HTTPError?
    /// Request bodies held for streams still receiving, summed over the connection.
    private var bufferedBodyBytes = 0
    /// The stream whose header block nghttp2 is decoding: its fields come one callback each, and a header
    /// block cannot interleave with another (RFC 9113 §4.3), so this saves a table lookup per field.
    private var decoding: HTTP2Stream?

    /// Each stream may buffer up to `maxBodyBytes`; together a connection's streams may hold this many
    /// times that, so concurrent uploads cannot multiply what one client makes the server hold.
    private static let bufferedBodiesPerConnection = 4

    init(_ connection: Connection) {
        limits = connection.configuration.limits
        statistics = connection.worker.statistics
        var callbacks: OpaquePointer?
        // nghttp2 copies the callbacks into the session, so the table lives only for this call.
        guard nghttp2_session_callbacks_new(&callbacks) == 0 else { fatalError("nghttp2 is out of memory") }
        defer { nghttp2_session_callbacks_del(callbacks) }
        Self.install(callbacks)
        var created: OpaquePointer?
        guard nghttp2_session_server_new(&created, callbacks, nil) == 0, let created else {
            fatalError("nghttp2 is out of memory")
        }
        session = created
        nghttp2_session_set_user_data(session, Unmanaged.passUnretained(self).toOpaque())
        var settings = [
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                value: UInt32(clamping: connection.configuration.http2.maxConcurrentStreams)),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                value: UInt32(clamping: limits.maxHeaderBytes)),
        ]
        nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
    }

    deinit { nghttp2_session_del(session) }

    /// Takes over from HTTP/1.1 after `Upgrade: h2c`: the request becomes stream 1, half closed by the
    /// client, answered like any other. False when nghttp2 refuses the client's HTTP2-Settings.
    func acceptUpgrade(
        _ upgrade: H2CUpgrade, request: HTTPRequestHead, body: [UInt8], headCompletedAt: UInt64
    ) -> Bool {
        let accepted = upgrade.settingsPayload.withUnsafeBufferPointer {
            nghttp2_session_upgrade2(session, $0.baseAddress, $0.count, request.method == .head ? 1 : 0, nil)
        }
        guard accepted == 0 else { return false }
        let stream = HTTP2Stream(id: 1, now: headCompletedAt)
        stream.method = request.method.rawValue
        stream.target = request.target
        stream.authority = request.authority
        stream.clientRequestID = request.clientRequestID
        stream.headerFields = request.headerFields
        stream.body = body
        bufferedBodyBytes += body.count
        stream.headersCompletedAt = headCompletedAt
        stream.requestComplete = true
        // HTTP/1.1 counted it when its head arrived.
        stream.counted = true
        streams[1] = stream
        ready.append(1)
        return true
    }

    // MARK: HTTPProtocolHandler

    func process(_ connection: Connection) {
        let input = connection.input
        if !input.isEmpty {
            let bytes = input.readable
            let result = nghttp2_session_mem_recv(session, bytes.baseAddress, bytes.count)
            // nghttp2 takes every byte (buffering partial frames itself) unless it fails.
            input.consume(input.readableCount)
            input.releaseExcessCapacity()
            guard result >= 0 else {
                // Only a bad preface or a flood gets here; protocol errors in frames and HPACK make nghttp2
                // queue GOAWAY and stop reading, which `writeFrames` sends before closing.
                connection.close()
                return
            }
        }
        answerReadyStreams(connection)
        writeFrames(connection)
    }

    func outputDrained(_ connection: Connection) {
        writeFrames(connection)
    }

    func reject(_ connection: Connection, with error: HTTPError) {
        rejection = error
        writeFrames(connection)
    }

    func drain(_ connection: Connection) {
        goAway()
        writeFrames(connection)
        connection.flush()
    }

    /// nghttp2 reports no stream closes when the session goes with its connection: the streams still open
    /// and never answered end here.
    func connectionClosed(_ connection: Connection) {
        let abandoned = streams.values.count { $0.counted && !$0.answered }
        if abandoned > 0 { statistics.add(abandoned, to: .requestsAbandoned) }
        streams.removeAll()
    }

    func checkTimeouts(_ connection: Connection, now: UInt64) {
        let timeouts = connection.configuration.timeouts
        let quietFor = now - connection.lastActivity
        if streams.isEmpty {
            if connection.worker.isDraining
                || connection.hasWaitedTooLongForARequest(now: now, answeredAny: requestsAnswered > 0)
            {
                goAway()
            }
        } else {
            var waitingForRequests = false
            for stream in streams.values where !stream.answered {
                if stream.headersCompletedAt == 0 {
                    // A header block must end before any other frame can be read (HPACK is one state per
                    // connection), so a stalled one stalls the connection.
                    if now - stream.headersBeganAt > timeouts.header.nanoseconds { closeStalled(connection) }
                } else if now - stream.lastReceivedAt > timeouts.bodyStall.nanoseconds {
                    stream.refusal = HTTPError(
                        .requestTimeout, code: "request_timeout",
                        message: "the request body stalled for \(timeouts.bodyStall)")
                    ready.append(stream.id)
                }
                waitingForRequests = true
            }
            // Every request answered, and still no byte either way: the client stopped reading
            // (flow control) and would hold its streams open for ever.
            if !waitingForRequests, quietFor > timeouts.bodyStall.nanoseconds { closeStalled(connection) }
            answerReadyStreams(connection)
        }
        writeFrames(connection)
        connection.flush()
    }

    private func closeStalled(_ connection: Connection) {
        goAway()
        writeFrames(connection)
        connection.closeAfterWrite()
    }

    // MARK: Answering

    private func answerReadyStreams(_ connection: Connection) {
        guard !ready.isEmpty else { return }
        for id in ready {
            if let stream = streams[id], !stream.answered { answer(stream, connection) }
        }
        ready.removeAll(keepingCapacity: true)
    }

    private func answer(_ stream: HTTP2Stream, _ connection: Connection) {
        let worker = connection.worker
        stream.answered = true
        let requestID = stream.clientRequestID ?? worker.requestIDs.make()
        let method = HTTPRequest.Method(stream.method) ?? .get
        let routed: RoutedResponse
        if let refusal = stream.refusal ?? rejection {
            routed = worker.refusal(refusal, requestHeaderFields: stream.headerFields)
        } else {
            routed = worker.route(
                method: method, scheme: stream.scheme, authority: stream.authority, target: stream.target,
                headerFields: stream.headerFields, version: .http2, body: stream.body, requestID: requestID,
                clientAddress: { connection.clientAddress })
        }
        releaseBody(of: stream)
        submit(routed.response, on: stream, requestID: requestID, includeBody: method != .head, connection)
        let now = MonotonicClock.now()
        connection.lastActivity = now
        worker.record(routed, method: method, requestID: requestID, elapsedNanoseconds: now - stream.headersCompletedAt)
        requestsAnswered += 1
        if rejection != nil || requestsAnswered >= limits.maxRequestsPerConnection { goAway() }
    }

    private func submit(
        _ response: HTTPServerResponse, on stream: HTTP2Stream, requestID: String, includeBody: Bool,
        _ connection: Connection
    ) {
        let context = connection.context
        var block = HTTP2HeaderBlock()
        block.append(HTTP2HeaderBlock.Name.status, String(response.status.code))
        block.append(HTTP2HeaderBlock.Name.date, connection.worker.dateCache.current())
        block.append(HTTP2HeaderBlock.Name.server, context.serverName)
        block.append(HTTP2HeaderBlock.Name.requestID, requestID)
        block.append(HTTP2HeaderBlock.Name.contentLength, String(response.body.count))
        for field in context.http2FixedFields { block.append(field.name, field.value) }
        for field in response.headerFields where HTTP2HeaderBlock.isPassedThrough(field.name) {
            block.append(field.name, field.value)
        }
        stream.responseBody = includeBody ? response.body : []
        stream.responseOffset = 0
        let hasBody = !stream.responseBody.isEmpty
        // Fails only when the client has already reset the stream; then there is no one to answer.
        _ = block.withNameValuePairs { fields, count in
            guard hasBody else { return nghttp2_submit_response(session, stream.id, fields, count, nil) }
            var body = nghttp2_data_provider(
                source: nghttp2_data_source(ptr: nil),
                read_callback: { _, streamID, buffer, length, flags, _, userData in
                    HTTP2Handler.from(userData).readResponseBody(streamID, into: buffer!, length: length, flags: flags!)
                })
            return nghttp2_submit_response(session, stream.id, fields, count, &body)
        }
    }

    private func goAway() {
        guard !goingAway else { return }
        goingAway = true
        nghttp2_submit_goaway(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nghttp2_session_get_last_proc_stream_id(session),
            NGHTTP2_NO_ERROR.rawValue, nil, 0)
    }

    /// Moves nghttp2's frames onto the output, up to the high-water mark (the rest waits in nghttp2 for
    /// `outputDrained`), and closes once nghttp2 wants neither to read nor to write: after GOAWAY with no
    /// open stream, or a connection error.
    private func writeFrames(_ connection: Connection) {
        // The drain flag is set before the workers hear of the drain; a stream answered in between
        // already goes out with GOAWAY.
        if connection.context.drainFlag.isSet { goAway() }
        while connection.pendingOutputCount < Connection.outputHighWater {
            var frames: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &frames)
            guard count >= 0 else {
                connection.close()
                return
            }
            guard count > 0, let frames else { break }
            connection.output.append(contentsOf: UnsafeBufferPointer(start: frames, count: count))
        }
        if nghttp2_session_want_read(session) == 0, nghttp2_session_want_write(session) == 0 {
            connection.closeAfterWrite()
        }
    }

    private func releaseBody(of stream: HTTP2Stream) {
        bufferedBodyBytes -= stream.body.count
        stream.body = []
    }

    // MARK: nghttp2 callbacks, through `HTTP2Handler+Callbacks`

    /// As byte arrays: comparing with a `String.UTF8View` walks it through the generic iterator.
    private enum PseudoField {
        static let method = Array(":method".utf8)
        static let path = Array(":path".utf8)
        static let authority = Array(":authority".utf8)
        static let scheme = Array(":scheme".utf8)
    }

    func beginHeaders(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        guard frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
            frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
        else { return 0 }
        let id = frame.pointee.hd.stream_id
        let stream = HTTP2Stream(id: id, now: MonotonicClock.now())
        streams[id] = stream
        decoding = stream
        return 0
    }

    func header(
        _ frame: UnsafePointer<nghttp2_frame>, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>
    ) -> Int32 {
        let id = frame.pointee.hd.stream_id
        guard let stream = decoding?.id == id ? decoding : streams[id] else { return 0 }
        // Trailers count against the limit too, and are then dropped, as HTTP/1.1's parser does.
        stream.headerListSize += name.count + value.count + 32
        guard stream.refusal == nil else { return 0 }
        guard stream.headerListSize <= limits.maxHeaderBytes else {
            stream.refusal = HTTPError(
                .requestHeaderFieldsTooLarge, code: "headers_too_large",
                message: "the header list is larger than \(limits.maxHeaderBytes) bytes (name + value + 32 per field)")
            return 0
        }
        guard frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST else { return 0 }
        if name.first == UInt8(ascii: ":") {
            // nghttp2 has checked the pseudo-header fields: each known, once, and the ones a request needs.
            let text = String(decoding: value, as: UTF8.self)
            if name.elementsEqual(PseudoField.method) {
                stream.method = text
            } else if name.elementsEqual(PseudoField.path) {
                stream.target = text
            } else if name.elementsEqual(PseudoField.authority) {
                stream.authority = text
            } else if name.elementsEqual(PseudoField.scheme) {
                stream.scheme = text
            }
            return 0
        }
        stream.headerCount += 1
        guard stream.headerCount <= limits.maxHeaderCount else {
            stream.refusal = HTTPError(
                .requestHeaderFieldsTooLarge, code: "too_many_headers",
                message: "the request has more than \(limits.maxHeaderCount) header fields")
            return 0
        }
        // nghttp2 has checked the name: lower-case token characters only.
        let field = HTTPField(name: KnownField.name(name), parsedValue: value)
        switch field.name {
        case KnownField.requestID where RequestIDGenerator.isAcceptable(field.value):
            stream.clientRequestID = field.value
        case KnownField.host where stream.authority == nil:
            stream.authority = field.value
        case .contentLength:
            if let length = Int(field.value), length > limits.maxBodyBytes {
                stream.refusal = HTTPRequestParser.bodyTooLarge(limits)
            }
        case .expect:
            if field.value.lowercased() == "100-continue" {
                stream.expectsContinue = true
            } else {
                stream.refusal = HTTPError(
                    .expectationFailed, code: "expectation_failed",
                    message: "the expectation '\(field.value)' is not supported")
            }
        default:
            break
        }
        stream.headerFields.append(field)
        return 0
    }

    func frameReceived(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        let id = frame.pointee.hd.stream_id
        guard let stream = streams[id] else { return 0 }
        let now = MonotonicClock.now()
        stream.lastReceivedAt = now
        let type = frame.pointee.hd.type
        if type == UInt8(NGHTTP2_HEADERS.rawValue), frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
            stream.headersCompletedAt = now
            stream.counted = true
            statistics.add(1, to: .requestsStarted)
            if stream.refusal != nil {
                ready.append(id)
            } else if stream.expectsContinue, frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) == 0 {
                // An interim response (RFC 9113 §8.1): the body may come now. A refused request gets its
                // final answer instead.
                submitContinue(stream.id)
            }
        }
        if type == UInt8(NGHTTP2_HEADERS.rawValue) || type == UInt8(NGHTTP2_DATA.rawValue),
            frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        {
            stream.requestComplete = true
            ready.append(id)
        }
        return 0
    }

    private func submitContinue(_ streamID: Int32) {
        var block = HTTP2HeaderBlock()
        block.append(HTTP2HeaderBlock.Name.status, "100")
        _ = block.withNameValuePairs { fields, count in
            nghttp2_submit_headers(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, nil, fields, count, nil)
        }
    }

    func dataReceived(_ streamID: Int32, _ data: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard let stream = streams[streamID], stream.refusal == nil, !stream.answered else { return 0 }
        stream.lastReceivedAt = MonotonicClock.now()
        guard stream.body.count + data.count <= limits.maxBodyBytes else {
            releaseBody(of: stream)
            stream.refusal = HTTPRequestParser.bodyTooLarge(limits)
            ready.append(streamID)
            return 0
        }
        guard bufferedBodyBytes + data.count <= limits.maxBodyBytes * Self.bufferedBodiesPerConnection else {
            releaseBody(of: stream)
            stream.refusal = HTTPError(
                .serviceUnavailable, code: "too_many_uploads", message: "this connection is receiving too many bodies")
            // REFUSED_STREAM: nothing of the request was processed, so the client may retry it.
            nghttp2_submit_rst_stream(
                session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, NGHTTP2_REFUSED_STREAM.rawValue)
            return 0
        }
        stream.body.append(contentsOf: data)
        bufferedBodyBytes += data.count
        return 0
    }

    func frameSent(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        let type = frame.pointee.hd.type
        guard type == UInt8(NGHTTP2_HEADERS.rawValue) || type == UInt8(NGHTTP2_DATA.rawValue),
            frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0,
            let stream = streams[frame.pointee.hd.stream_id], !stream.requestComplete
        else { return 0 }
        // Answered before the request ended (a refusal): tell the client to stop sending (RFC 9113 §8.1).
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream.id, NGHTTP2_NO_ERROR.rawValue)
        return 0
    }

    func streamClosed(_ streamID: Int32) -> Int32 {
        guard let stream = streams.removeValue(forKey: streamID) else { return 0 }
        if decoding === stream { decoding = nil }
        releaseBody(of: stream)
        // Reset by the client (or refused) before its answer: no longer in flight, never answered.
        if stream.counted, !stream.answered { statistics.add(1, to: .requestsAbandoned) }
        return 0
    }

    func readResponseBody(
        _ streamID: Int32, into buffer: UnsafeMutablePointer<UInt8>, length: Int, flags: UnsafeMutablePointer<UInt32>
    ) -> Int {
        guard let stream = streams[streamID] else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
        let count = min(length, stream.responseBody.count - stream.responseOffset)
        stream.responseBody.withUnsafeBufferPointer { body in
            buffer.update(from: body.baseAddress! + stream.responseOffset, count: count)
        }
        stream.responseOffset += count
        if stream.responseOffset == stream.responseBody.count {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            stream.responseBody = []
        }
        return count
    }
}
