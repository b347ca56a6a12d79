/// What the router and a responder made of one request, before either HTTP version writes it out.
struct RoutedResponse {
    var response: HTTPServerResponse
    /// The route's index for the statistics; nil when no route matched (404s, unreadable requests).
    var routeIndex: Int?
    /// The decoded path, or the raw one (without the query) when it could not be decoded, for the access log.
    var path: String
    /// What a responder threw that was not an `HTTPError` (answered with a 500), for the server's log.
    var unexpectedError: (any Error)? = nil
}
