public import HTTPTypes

/// What a responder answers. The server adds `Date`, `Server`, `Content-Length`,
/// `Connection` and `X-Request-Id` itself.
public struct HTTPServerResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headerFields: HTTPFields
    public var body: [UInt8]

    public init(status: HTTPResponse.Status = .ok, headerFields: HTTPFields = [:], body: [UInt8] = []) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }

    /// A response whose body is already-encoded JSON.
    public static func json(_ body: [UInt8], status: HTTPResponse.Status = .ok) -> HTTPServerResponse {
        HTTPServerResponse(status: status, headerFields: jsonFields, body: body)
    }

    /// Shared, so a response does not build its header storage anew.
    private static let jsonFields: HTTPFields = [.contentType: "application/json"]

    public static func json(_ body: String, status: HTTPResponse.Status = .ok) -> HTTPServerResponse {
        json(Array(body.utf8), status: status)
    }
}
