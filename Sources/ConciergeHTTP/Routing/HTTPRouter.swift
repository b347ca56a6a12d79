public import HTTPTypes

/// Answers one routed request; throw `HTTPError` to answer with a JSON error.
///
/// A responder, not a handler: in this module a handler is a connection's protocol state machine
/// (`HTTPProtocolHandler`: `HTTP1Handler`, `HTTP2Handler`), which turns bytes into requests and responses into
/// bytes. A responder sees one complete request and returns its response, whichever HTTP version carried it.
public typealias HTTPResponder = @Sendable (HTTPServerRequest) throws -> HTTPServerResponse

/// Exact-path, exact-method routing. Built once before the server starts, then only read.
public struct HTTPRouter: Sendable {
    struct Route: Sendable {
        /// Position in `routePaths`; the server counts requests per route by it.
        var index: Int
        /// A route has a handful of methods: comparing them beats hashing the method's name per request.
        var responders: [(method: HTTPRequest.Method, responder: HTTPResponder)] = []
        var allow = ""
        /// A HEAD responder registered on its own is kept when GET is registered again.
        var hasOwnHeadResponder = false

        func responder(for method: HTTPRequest.Method) -> HTTPResponder? {
            responders.first { $0.method == method }?.responder
        }

        mutating func setResponder(_ responder: @escaping HTTPResponder, for method: HTTPRequest.Method) {
            responders.removeAll { $0.method == method }
            responders.append((method, responder))
        }
    }

    private var routes: [String: Route] = [:]
    /// CORS, API keys and the rate limit, asked about every request before it is routed; nil: none of them.
    public var accessControl: HTTPAccessControl?
    /// Route paths in registration order, for metric labels.
    public private(set) var routePaths: [String] = []

    public init() {}

    /// Registers `responder` for `method` on `path`. A `GET` route also answers `HEAD`.
    public mutating func on(_ method: HTTPRequest.Method, _ path: String, use responder: @escaping HTTPResponder) {
        var route = routes[path] ?? Route(index: routePaths.count)
        if route.index == routePaths.count { routePaths.append(path) }
        route.setResponder(responder, for: method)
        if method == .head { route.hasOwnHeadResponder = true }
        if method == .get, !route.hasOwnHeadResponder { route.setResponder(responder, for: .head) }
        route.allow = route.responders.map(\.method.rawValue).sorted().joined(separator: ", ")
        routes[path] = route
    }

    public mutating func get(_ path: String, use responder: @escaping HTTPResponder) {
        on(.get, path, use: responder)
    }

    public mutating func post(_ path: String, use responder: @escaping HTTPResponder) {
        on(.post, path, use: responder)
    }

    enum Resolution {
        case responder(routeIndex: Int, HTTPResponder)
        case methodNotAllowed(routeIndex: Int, allow: String)
        case notFound
    }

    func resolve(method: HTTPRequest.Method, path: String) -> Resolution {
        guard let route = routes[path] else { return .notFound }
        guard let responder = route.responder(for: method) else {
            return .methodNotAllowed(routeIndex: route.index, allow: route.allow)
        }
        return .responder(routeIndex: route.index, responder)
    }

    /// Answers `request` in process, without a socket, exactly as the server routes a request it read: the
    /// target's path decoded and its query split, 404 for an unknown path, 405 with `Allow` for another method,
    /// `HEAD` by the `GET` responder, a thrown `HTTPError` as its JSON body, any other error as a JSON 500.
    /// The request id is the request's `X-Request-Id` when it is one the server would accept, a new one otherwise.
    /// `clientAddress` stands for the peer's address, which a rate limit without API keys counts by.
    ///
    /// The response is the router's: the server still adds `Date`, `Server`, `Content-Length`, `Connection` and
    /// `X-Request-Id` when it writes it, and sends no body bytes for `HEAD` (only their length).
    public func respond(
        to request: HTTPRequest, body: [UInt8] = [], clientAddress: String = "127.0.0.1"
    ) -> HTTPServerResponse {
        // The last acceptable one, as both HTTP versions take it.
        let clientRequestID = request.headerFields.last {
            $0.name == KnownField.requestID && RequestIDGenerator.isAcceptable($0.value)
        }
        var requestIDs = RequestIDGenerator()
        return route(
            method: request.method, scheme: request.scheme, authority: request.authority, target: request.path ?? "",
            headerFields: request.headerFields, version: .http1_1, body: body,
            requestID: clientRequestID?.value ?? requestIDs.make(), clientAddress: { clientAddress }
        ).response
    }

    /// What the server runs for every request, HTTP/1.1 and HTTP/2 alike; `respond(to:body:)` runs it too.
    /// `clientAddress` is asked for only when the rate limit counts per address.
    func route(
        method: HTTPRequest.Method, scheme: String?, authority: String?, target: String, headerFields: HTTPFields,
        version: HTTPVersion, body: [UInt8], requestID: String, clientAddress: () -> String
    ) -> RoutedResponse {
        var routeIndex: Int?
        let parsedTarget: RequestTarget
        do {
            parsedTarget = try RequestTarget(target)
        } catch {
            // The query holds guest ids, so even an undecodable target is logged without it.
            return RoutedResponse(
                response: error.response, routeIndex: nil, path: String(target.prefix { $0 != "?" }))
        }
        let response: HTTPServerResponse
        var unexpectedError: (any Error)?
        do {
            if let accessControl,
                let answer = try accessControl.intercept(
                    method: method, path: parsedTarget.path, headerFields: headerFields, clientAddress: clientAddress)
            {
                routeIndex = routes[parsedTarget.path]?.index
                return finished(
                    RoutedResponse(response: answer, routeIndex: routeIndex, path: parsedTarget.path), headerFields)
            }
            let request = HTTPServerRequest(
                method: method, scheme: scheme, authority: authority, target: target, headerFields: headerFields,
                version: version, path: parsedTarget.path, query: parsedTarget.query, body: body, requestID: requestID)
            switch resolve(method: method, path: parsedTarget.path) {
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
            routeIndex = routeIndex ?? routes[parsedTarget.path]?.index
            response = error.response
        } catch {
            unexpectedError = error
            response =
                HTTPError(.internalServerError, code: "internal_error", message: "the server failed to answer")
                .response
        }
        return finished(
            RoutedResponse(
                response: response, routeIndex: routeIndex, path: parsedTarget.path, unexpectedError: unexpectedError),
            headerFields)
    }

    private func finished(_ routed: RoutedResponse, _ requestHeaderFields: HTTPFields) -> RoutedResponse {
        guard let accessControl else { return routed }
        var routed = routed
        accessControl.decorate(&routed.response, requestHeaderFields: requestHeaderFields)
        return routed
    }
}
