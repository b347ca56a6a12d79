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
        var responders: [HTTPRequest.Method: HTTPResponder]
        var allow: String
        /// A HEAD responder registered on its own is kept when GET is registered again.
        var hasOwnHeadResponder = false
    }

    private var routes: [String: Route] = [:]
    /// Route paths in registration order, for metric labels.
    public private(set) var routePaths: [String] = []

    public init() {}

    /// Registers `responder` for `method` on `path`. A `GET` route also answers `HEAD`.
    public mutating func on(_ method: HTTPRequest.Method, _ path: String, use responder: @escaping HTTPResponder) {
        var route = routes[path] ?? Route(index: routePaths.count, responders: [:], allow: "")
        if route.index == routePaths.count { routePaths.append(path) }
        route.responders[method] = responder
        if method == .head { route.hasOwnHeadResponder = true }
        if method == .get, !route.hasOwnHeadResponder { route.responders[.head] = responder }
        route.allow = route.responders.keys.map(\.rawValue).sorted().joined(separator: ", ")
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
        guard let responder = route.responders[method] else {
            return .methodNotAllowed(routeIndex: route.index, allow: route.allow)
        }
        return .responder(routeIndex: route.index, responder)
    }
}
