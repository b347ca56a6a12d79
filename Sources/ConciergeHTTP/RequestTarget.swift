/// The path and query of a request target (RFC 9112 §3.2): origin-form, absolute-form,
/// or `*` for a server-wide OPTIONS.
struct RequestTarget {
    var path: String
    var query: QueryItems

    init(_ target: String) throws(HTTPError) {
        var rest = Substring(target)
        if rest == "*" {
            path = "*"
            query = QueryItems()
            return
        }
        if !rest.hasPrefix("/") {
            // absolute-form: the path starts after "scheme://authority".
            guard let schemeEnd = rest.range(of: "://") else {
                throw .badRequest("the request target is neither a path nor an absolute URI", code: "bad_request_target")
            }
            rest = rest[schemeEnd.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        let queryStart = rest.firstIndex(of: "?")
        let rawPath = queryStart.map { rest[..<$0] } ?? rest
        do throws(PercentDecodingError) {
            path = try PercentDecoding.decode(rawPath.utf8, plusIsSpace: false)
            if let queryStart {
                query = try QueryItems(parsing: rest[rest.index(after: queryStart)...].utf8)
            } else {
                query = QueryItems()
            }
        } catch {
            throw .badRequest("the request target is not correctly percent-encoded: \(error.message)", code: "bad_request_target")
        }
    }
}
