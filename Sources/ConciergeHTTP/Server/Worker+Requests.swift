import HTTPTypes

/// Answering and recording requests: the part of a request's path that HTTP/1.1 and HTTP/2 share, so
/// both run the same routes and responders, map errors the same way and count alike.
extension Worker {
    func route(
        method: HTTPRequest.Method, scheme: String?, authority: String?, target: String, headerFields: HTTPFields,
        version: HTTPVersion, body: [UInt8], requestID: String
    ) -> RoutedResponse {
        var routeIndex = context.statistics.unmatchedRoute
        let parsedTarget: RequestTarget
        do {
            parsedTarget = try RequestTarget(target)
        } catch {
            // The query holds guest ids, so even an undecodable target is logged without it.
            return RoutedResponse(
                response: error.response, routeIndex: routeIndex, path: String(target.prefix { $0 != "?" }))
        }
        let response: HTTPServerResponse
        do {
            let request = HTTPServerRequest(
                head: HTTPRequest(
                    method: method, scheme: scheme, authority: authority, path: target, headerFields: headerFields),
                version: version, path: parsedTarget.path, query: parsedTarget.query, body: body,
                requestID: requestID)
            switch context.router.resolve(method: method, path: parsedTarget.path) {
            case .responder(let index, let responder):
                routeIndex = index
                response = try responder(request)
            case .methodNotAllowed(let index, let allow):
                routeIndex = index
                throw HTTPError(
                    .methodNotAllowed, code: "method_not_allowed",
                    message: "\(method.rawValue) is not allowed on \(parsedTarget.path); use \(allow)",
                    headerFields: [.allow: allow])
            case .notFound:
                throw HTTPError.notFound("no route for \(parsedTarget.path)")
            }
        } catch let error as HTTPError {
            response = error.response
        } catch {
            context.logger.error(
                "handler failed",
                metadata: [
                    "path": "\(LogText.escaped(parsedTarget.path))", "request_id": "\(requestID)", "error": "\(error)",
                ])
            response = HTTPError(.internalServerError, code: "internal_error", message: "the server failed to answer")
                .response
        }
        return RoutedResponse(response: response, routeIndex: routeIndex, path: parsedTarget.path)
    }

    /// Counts an answered request and writes its access-log line.
    func record(
        _ routed: RoutedResponse, method: HTTPRequest.Method, requestID: String, elapsedNanoseconds: UInt64
    ) {
        statistics.recordRequest(
            route: routed.routeIndex, method: method, status: routed.response.status.code,
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
