public import HTTPTypes

/// A complete request as responders see it: its method and header fields in swift-http-types' currency,
/// the decoded path and query, and the whole body.
public struct HTTPServerRequest: Sendable {
    public var method: HTTPRequest.Method
    public var scheme: String?
    public var authority: String?
    /// The request target as it arrived: path and query, still percent-encoded.
    public var target: String
    public var headerFields: HTTPFields
    public var version: HTTPVersion
    /// The percent-decoded path, without the query.
    public var path: String
    public var query: QueryItems
    public var body: [UInt8]
    /// Taken from the request's `X-Request-Id` when it carries a sane one, generated otherwise.
    public var requestID: String

    init(
        method: HTTPRequest.Method, scheme: String? = nil, authority: String? = nil, target: String,
        headerFields: HTTPFields = [:], version: HTTPVersion = .http1_1, path: String, query: QueryItems = QueryItems(),
        body: [UInt8] = [], requestID: String = ""
    ) {
        self.method = method
        self.scheme = scheme
        self.authority = authority
        self.target = target
        self.headerFields = headerFields
        self.version = version
        self.path = path
        self.query = query
        self.body = body
        self.requestID = requestID
    }

    /// The head as one swift-http-types value, made when asked for: building it validates its pseudo-header
    /// fields again, which no route needs.
    public var head: HTTPRequest {
        HTTPRequest(method: method, scheme: scheme, authority: authority, path: target, headerFields: headerFields)
    }
}

public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
    public static let http2 = HTTPVersion(major: 2, minor: 0)

    /// `HTTP/1.1`, but `HTTP/2`: from version 2 on, HTTP versions have no minor number.
    public var description: String { major >= 2 ? "HTTP/\(major)" : "HTTP/\(major).\(minor)" }
}
