/// What the router and a responder made of one request, before either HTTP version writes it out.
struct RoutedResponse {
    var response: HTTPServerResponse
    /// The route's index for the statistics (`unmatched` for 404s).
    var routeIndex: Int
    /// The decoded path, or the raw one (without the query) when it could not be decoded, for the access log.
    var path: String
}
