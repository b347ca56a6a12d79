public import HTTPTypes

/// Handles one request; throw `HTTPError` to answer with a JSON error.
public typealias HTTPHandler = @Sendable (HTTPServerRequest) throws -> HTTPServerResponse

/// Exact-path, exact-method routing. Built once before the server starts, then only read.
public struct HTTPRouter: Sendable {
    struct Route: Sendable {
        /// Position in `routePaths`; the server counts requests per route by it.
        var index: Int
        var handlers: [HTTPRequest.Method: HTTPHandler]
        var allow: String
        /// A HEAD handler registered on its own is kept when GET is registered again.
        var hasOwnHeadHandler = false
    }

    private var routes: [String: Route] = [:]
    /// Route paths in registration order, for metric labels.
    public private(set) var routePaths: [String] = []

    public init() {}

    /// Registers `handler` for `method` on `path`. A `GET` route also answers `HEAD`.
    public mutating func on(_ method: HTTPRequest.Method, _ path: String, use handler: @escaping HTTPHandler) {
        var route = routes[path] ?? Route(index: routePaths.count, handlers: [:], allow: "")
        if route.index == routePaths.count { routePaths.append(path) }
        route.handlers[method] = handler
        if method == .head { route.hasOwnHeadHandler = true }
        if method == .get, !route.hasOwnHeadHandler { route.handlers[.head] = handler }
        route.allow = route.handlers.keys.map(\.rawValue).sorted().joined(separator: ", ")
        routes[path] = route
    }

    public mutating func get(_ path: String, use handler: @escaping HTTPHandler) {
        on(.get, path, use: handler)
    }

    public mutating func post(_ path: String, use handler: @escaping HTTPHandler) {
        on(.post, path, use: handler)
    }

    enum Resolution {
        case handler(routeIndex: Int, HTTPHandler)
        case methodNotAllowed(routeIndex: Int, allow: String)
        case notFound
    }

    func resolve(method: HTTPRequest.Method, path: String) -> Resolution {
        guard let route = routes[path] else { return .notFound }
        guard let handler = route.handlers[method] else {
            return .methodNotAllowed(routeIndex: route.index, allow: route.allow)
        }
        return .handler(routeIndex: route.index, handler)
    }
}
