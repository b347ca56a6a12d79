public import HTTPTypes

/// Cross-origin requests from web pages served elsewhere (the Fetch standard's CORS protocol), for the exact
/// origins configured. Other origins get no CORS headers at all, so their browsers refuse the answer.
///
/// No `Access-Control-Allow-Credentials`: pages send their key in `Authorization` themselves, which needs only
/// the header allowed, not cookies or the browser's stored credentials.
public struct CORSPolicy: Sendable {
    public let allowedOrigins: Set<String>
    /// Response fields a page's script may read besides the CORS-safelisted ones.
    public let exposedHeaders: [HTTPField.Name]
    /// Seconds a browser may reuse a preflight's answer.
    public let maxAgeSeconds: Int

    public init(allowedOrigins: [String], exposedHeaders: [HTTPField.Name] = [], maxAgeSeconds: Int = 600) {
        self.allowedOrigins = Set(allowedOrigins)
        self.exposedHeaders = [KnownField.requestID] + exposedHeaders
        self.maxAgeSeconds = maxAgeSeconds
    }

    static let allowedMethods = "GET, POST"
    static let allowedRequestHeaders = "Content-Type, Authorization, X-Request-Id"

    /// Why `origin` cannot be configured, or nil when it can: an origin is exactly `scheme://host[:port]`,
    /// as browsers send it in `Origin`, so a wildcard, a path or a trailing slash would never match.
    public static func problem(with origin: String) -> String? {
        guard let separator = origin.range(of: "://") else {
            return "'\(origin)' is not an origin such as https://crm.example.com"
        }
        let scheme = origin[..<separator.lowerBound]
        let authority = origin[separator.upperBound...]
        guard scheme == "http" || scheme == "https" else { return "'\(origin)' must start with http:// or https://" }
        guard !authority.isEmpty, !authority.contains(where: { "/?#*@ ".contains($0) }) else {
            return "'\(origin)' must be exactly scheme://host[:port]: no path, wildcard or trailing slash"
        }
        return nil
    }

    /// The request's `Origin`, when it is one of the allowed ones.
    func allowedOrigin(of headerFields: HTTPFields) -> String? {
        guard let origin = headerFields[.origin], allowedOrigins.contains(origin) else { return nil }
        return origin
    }

    /// A browser's preflight: `OPTIONS` naming the method it means to send.
    static func isPreflight(_ method: HTTPRequest.Method, _ headerFields: HTTPFields) -> Bool {
        method == .options && headerFields[.accessControlRequestMethod] != nil
    }

    /// A preflight's answer; `decorate` adds the allowed origin, as to every answer.
    var preflightResponse: HTTPServerResponse {
        HTTPServerResponse(
            status: .noContent,
            headerFields: [
                .accessControlAllowMethods: Self.allowedMethods, .accessControlAllowHeaders: Self.allowedRequestHeaders,
                .accessControlMaxAge: String(maxAgeSeconds),
            ])
    }

    /// Lets the page read `response`, errors included. `Vary: Origin` goes on every answer, allowed or not, so
    /// that a cache never hands one origin's answer to another.
    func decorate(_ response: inout HTTPServerResponse, origin: String?) {
        response.headerFields.append(HTTPField(name: .vary, value: "Origin"))
        guard let origin else { return }
        response.headerFields.append(HTTPField(name: .accessControlAllowOrigin, value: origin))
        response.headerFields.append(
            HTTPField(
                name: .accessControlExposeHeaders, value: exposedHeaders.map(\.rawName).joined(separator: ", ")))
    }
}
