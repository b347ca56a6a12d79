import HTTPTypes

/// Answering and recording requests: the part of a request's path that HTTP/1.1 and HTTP/2 share, so
/// both run the same routes and responders, map errors the same way and count alike.
extension Worker {
    /// A refusal made before routing (a body too large, a stalled body, a drain), for a request whose header
    /// fields arrived: an allowed page reads it too, so it carries the CORS headers a routed error would.
    func refusal(_ error: HTTPError, requestHeaderFields: HTTPFields) -> RoutedResponse {
        var response = error.response
        context.router.accessControl?.decorate(&response, requestHeaderFields: requestHeaderFields)
        return RoutedResponse(response: response, routeIndex: nil, path: "-")
    }

    func route(
        method: HTTPRequest.Method, scheme: String?, authority: String?, target: String, headerFields: HTTPFields,
        version: HTTPVersion, body: [UInt8], requestID: String, clientAddress: () -> String
    ) -> RoutedResponse {
        assertOnQueue()
        let routed = context.router.route(
            method: method, scheme: scheme, authority: authority, target: target, headerFields: headerFields,
            version: version, body: body, requestID: requestID, clientAddress: clientAddress)
        if let error = routed.unexpectedError {
            context.logger.error(
                "handler failed",
                metadata: [
                    "path": "\(LogText.escaped(routed.path))", "request_id": "\(requestID)", "error": "\(error)",
                ])
        }
        return routed
    }

    /// Counts an answered request and writes its access-log line.
    func record(
        _ routed: RoutedResponse, method: HTTPRequest.Method, requestID: String, elapsedNanoseconds: UInt64
    ) {
        assertOnQueue()
        statistics.recordRequest(
            route: routed.routeIndex ?? context.statistics.unmatchedRoute, method: method,
            status: routed.response.status.code,
            nanoseconds: elapsedNanoseconds)
        if context.configuration.accessLog {
            context.logger.info(
                "\(method.rawValue) \(LogText.escaped(routed.path)) \(routed.response.status.code) \(routed.response.body.count) \(Self.milliseconds(elapsedNanoseconds))ms",
                metadata: ["request_id": .string(requestID)])
        }
    }

    private static func milliseconds(_ nanoseconds: UInt64) -> String {
        let micros = nanoseconds / 1000
        let fraction = micros % 1000
        return "\(micros / 1000)." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + "\(fraction)"
    }
}
