import HTTPTypes
import Synchronization

/// Who may call which route, from which web page, how often: CORS, bearer API keys with scopes, and a rate
/// limit, each on only when configured. The router asks it first about every request and lets it add its
/// headers to every answer. It knows routes only by path; which scope each needs is the application's to say.
public final class HTTPAccessControl: Sendable {
    public let cors: CORSPolicy?
    public let keys: APIKeyStore?
    public let rateLimiter: RateLimiter?
    /// A path not listed (an unknown one, answered 404) needs a valid key of any scope.
    let routeAccess: [String: RouteAccess]
    private let counts = Mutex(Counts())

    public struct Counts: Sendable, Equatable {
        public var authenticationFailures: [AuthenticationFailure: UInt64] = [:]
        public var rateLimited: UInt64 = 0
    }

    public init(
        cors: CORSPolicy? = nil, keys: APIKeyStore? = nil, rateLimiter: RateLimiter? = nil,
        routeAccess: [String: RouteAccess] = [:]
    ) {
        self.cors = cors
        self.keys = keys
        self.rateLimiter = rateLimiter
        self.routeAccess = routeAccess
    }

    public func snapshot() -> Counts { counts.withLock { $0 } }

    static let realm = #"Bearer realm="concierge""#

    /// The answer that ends the request before routing (a preflight's 204, 401, 403, 429), or nil to route it.
    func intercept(
        method: HTTPRequest.Method, path: String, headerFields: HTTPFields, clientAddress: () -> String
    ) throws(HTTPError) -> HTTPServerResponse? {
        if let cors, CORSPolicy.isPreflight(method, headerFields), cors.allowedOrigin(of: headerFields) != nil {
            return cors.preflightResponse
        }
        let access = routeAccess[path]
        if access == .open { return nil }
        let client: String
        if let keys {
            let key = try authenticate(headerFields, keys: keys, access: access)
            client = "key " + key.name
        } else {
            client = clientAddress()
        }
        if let rateLimiter, let seconds = rateLimiter.retryAfter(for: client) {
            counts.withLock { $0.rateLimited += 1 }
            throw HTTPError(
                .tooManyRequests, code: "rate_limited",
                message: "past the rate limit of \(rateLimiter.limit) requests; retry in \(seconds) s",
                headerFields: [.retryAfter: String(seconds)])
        }
        return nil
    }

    private func authenticate(
        _ headerFields: HTTPFields, keys: APIKeyStore, access: RouteAccess?
    ) throws(HTTPError) -> APIKey {
        guard let authorization = headerFields[.authorization] else {
            throw refusal(.missing, "this route needs an API key: send Authorization: Bearer and the key")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw refusal(.malformed, "the Authorization field must be Bearer and an API key")
        }
        guard let key = keys.key(for: parts[1]) else {
            throw refusal(.unknownKey, "the API key is not valid")
        }
        if case .scope(let scope) = access, !key.scopes.contains(scope) {
            throw refusal(.missingScope, "the API key lacks the scope \(scope)", scope: scope)
        }
        return key
    }

    /// RFC 6750's answers: 401 with a challenge, `invalid_token` when a token was sent; 403 `insufficient_scope`.
    private func refusal(_ failure: AuthenticationFailure, _ message: String, scope: String? = nil) -> HTTPError {
        counts.withLock { $0.authenticationFailures[failure, default: 0] += 1 }
        switch failure {
        case .missing:
            return HTTPError(
                .unauthorized, code: "unauthorized", message: message, headerFields: [.wwwAuthenticate: Self.realm])
        case .malformed, .unknownKey:
            return HTTPError(
                .unauthorized, code: "invalid_token", message: message,
                headerFields: [.wwwAuthenticate: Self.realm + #", error="invalid_token""#])
        case .missingScope:
            return HTTPError(
                .forbidden, code: "insufficient_scope", message: message,
                headerFields: [
                    .wwwAuthenticate: Self.realm + #", error="insufficient_scope", scope="\#(scope ?? "")""#
                ])
        }
    }

    /// Adds the CORS headers an allowed page needs to read `response`.
    func decorate(_ response: inout HTTPServerResponse, requestHeaderFields: HTTPFields) {
        guard let cors else { return }
        cors.decorate(&response, origin: cors.allowedOrigin(of: requestHeaderFields))
    }
}
