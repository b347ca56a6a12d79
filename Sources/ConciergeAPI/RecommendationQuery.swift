import ConciergeHTTP
import ConciergeServing
import Foundation

/// Reads a `RecommendationRequest` from `GET /recommend`'s query or `POST /recommend`'s JSON body,
/// answering 400 with the offending field named.
enum RecommendationQuery {
    static let fields: Set<String> = ["user", "k", "hotel", "exclude", "recent", "seen", "departments"]

    static func fromQuery(_ query: QueryItems) throws(HTTPError) -> RecommendationRequest {
        for item in query where !fields.contains(item.name) {
            throw invalid(item.name, "is not a parameter of /recommend; use \(fields.sorted().joined(separator: ", "))")
        }
        var request = RecommendationRequest(user: query["user"].flatMap { $0.isEmpty ? nil : $0 })
        if let k = query["k"] {
            guard let count = Int(k) else { throw invalid("k", "must be a whole number from 1 to 100, not '\(k)'") }
            request.count = count
        }
        request.hotel = query["hotel"].flatMap { $0.isEmpty ? nil : $0 }
        request.exclude = list(query.values(for: "exclude"))
        request.recent = list(query.values(for: "recent"))
        request.departments = query["departments"].map { _ in list(query.values(for: "departments")) }
        if let seen = query["seen"] { request.includeSeen = try includeSeen(seen) }
        try checkCount(request.count)
        return request
    }

    static func fromJSON(_ body: [UInt8]) throws(HTTPError) -> RecommendationRequest {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(body))
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw HTTPError.badRequest("the body is not valid JSON: \(detail)", code: "malformed_json")
        }
        guard let fields = object as? [String: Any] else {
            throw HTTPError.badRequest("the body must be a JSON object", code: "malformed_json")
        }
        for name in fields.keys where !Self.fields.contains(name) {
            throw invalid(name, "is not a field of /recommend; use \(Self.fields.sorted().joined(separator: ", "))")
        }
        var request = RecommendationRequest(user: try identifier(fields["user"], field: "user"))
        if let k = fields["k"] {
            guard let number = k as? NSNumber, !(k is Bool), let count = Int(exactly: number.doubleValue) else {
                throw invalid("k", "must be a whole number from 1 to 100")
            }
            request.count = count
        }
        request.hotel = try identifier(fields["hotel"], field: "hotel")
        request.exclude = try identifiers(fields["exclude"], field: "exclude") ?? []
        request.recent = try identifiers(fields["recent"], field: "recent") ?? []
        request.departments = try identifiers(fields["departments"], field: "departments")
        if let seen = fields["seen"] {
            guard let text = seen as? String else { throw invalid("seen", "must be \"exclude\" or \"include\"") }
            request.includeSeen = try includeSeen(text)
        }
        try checkCount(request.count)
        return request
    }

    private static func checkCount(_ count: Int) throws(HTTPError) {
        guard RecommendationRequest.countRange.contains(count) else {
            throw invalid("k", "must be from 1 to 100, not \(count)")
        }
    }

    private static func includeSeen(_ value: String) throws(HTTPError) -> Bool {
        switch value {
        case "exclude": return false
        case "include": return true
        default: throw invalid("seen", "must be \"exclude\" or \"include\", not '\(value)'")
        }
    }

    /// Ids are strings; a CRM that sends the numeric `customer_seq` as a JSON number is understood too.
    private static func identifier(_ value: Any?, field: String) throws(HTTPError) -> String? {
        switch value {
        case nil, is NSNull: return nil
        case let text as String: return text.isEmpty ? nil : text
        case let number as NSNumber where !(value is Bool):
            guard let whole = Int64(exactly: number.doubleValue) else { throw invalid(field, "must be a string id") }
            return String(whole)
        default: throw invalid(field, "must be a string id")
        }
    }

    private static func identifiers(_ value: Any?, field: String) throws(HTTPError) -> [String]? {
        switch value {
        case nil, is NSNull: return nil
        case let array as [Any]:
            var ids: [String] = []
            for element in array {
                guard let id = try identifier(element, field: field) else { throw invalid(field, "must hold string ids") }
                ids.append(id)
            }
            return ids
        default: throw invalid(field, "must be an array of string ids")
        }
    }

    private static func list(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map(String.init).filter { !$0.isEmpty }
    }

    static func invalid(_ field: String, _ problem: String) -> HTTPError {
        HTTPError.badRequest("\(field) \(problem)", code: "invalid_parameter")
    }
}
