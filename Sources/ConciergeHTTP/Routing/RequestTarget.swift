/// The path and query of a request target (RFC 9112 §3.2): origin-form, absolute-form,
/// or `*` for a server-wide OPTIONS.
struct RequestTarget {
    var path: String
    var query: QueryItems

    init(_ target: String) throws(HTTPError) {
        var text = target
        let parsed = text.withUTF8 { bytes -> Result<RequestTarget, HTTPError> in
            do throws(HTTPError) {
                return .success(try RequestTarget(bytes: bytes, of: target))
            } catch {
                return .failure(error)
            }
        }
        self = try parsed.get()
    }

    /// `bytes` are `target`'s UTF-8, which a query with nothing to decode keeps rather than copies.
    private init(bytes: UnsafeBufferPointer<UInt8>, of target: String) throws(HTTPError) {
        if bytes.count == 1, bytes[0] == UInt8(ascii: "*") {
            path = "*"
            query = QueryItems()
            return
        }
        var pathStart = 0
        if bytes.first != UInt8(ascii: "/") {
            // absolute-form: the path starts after "scheme://authority".
            guard let authorityStart = Self.index(afterSchemeIn: bytes) else {
                throw .badRequest(
                    "the request target is neither a path nor an absolute URI", code: "bad_request_target")
            }
            pathStart =
                bytes[authorityStart...].firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") })
                ?? bytes.count
        }
        let queryStart = bytes[pathStart...].firstIndex(of: UInt8(ascii: "?"))
        let rawPath = UnsafeBufferPointer(rebasing: bytes[pathStart..<(queryStart ?? bytes.count)])
        do throws(PercentDecodingError) {
            path = rawPath.isEmpty ? "/" : try PercentDecoding.decode(rawPath, plusIsSpace: false)
            if let queryStart {
                query = try QueryItems(
                    parsing: UnsafeBufferPointer(rebasing: bytes[(queryStart + 1)...]), of: target, at: queryStart + 1)
            } else {
                query = QueryItems()
            }
        } catch {
            throw .badRequest(
                "the request target is not correctly percent-encoded: \(error.message)", code: "bad_request_target")
        }
    }

    /// The index just past "://", when the bytes start with a URI scheme.
    private static func index(afterSchemeIn bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0,
            colon + 2 < bytes.count, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/")
        else { return nil }
        return colon + 3
    }
}
