import ConciergeHTTP
import ConciergeJSON
import ConciergeServing

/// Reads a `RecommendationRequest` from `GET /recommend`'s query or `POST /recommend`'s JSON body,
/// answering 400 with the offending field named.
enum RecommendationQuery {
    /// The parameters, by the names the query and the JSON body give them.
    private enum Parameter: CaseIterable {
        case user, hotel, k, seen, exclude, recent, departments

        var name: StaticString {
            switch self {
            case .user: "user"
            case .hotel: "hotel"
            case .k: "k"
            case .seen: "seen"
            case .exclude: "exclude"
            case .recent: "recent"
            case .departments: "departments"
            }
        }

        /// The parameter `pair` names, compared by its bytes: no `String` is made for a name. The length picks the
        /// one name to compare, where trying each in turn cost about 140 instructions a query.
        init?(_ pair: QueryItems.Pair) {
            let candidate: Self
            switch pair.name.count {
            case 1: candidate = .k
            case 4: candidate = pair.name[0] == UInt8(ascii: "u") ? .user : .seen
            case 5: candidate = .hotel
            case 6: candidate = .recent
            case 7: candidate = .exclude
            case 11: candidate = .departments
            default: return nil
            }
            guard pair.hasName(candidate.name) else { return nil }
            self = candidate
        }
    }

    static let fields = Set(Parameter.allCases.map { "\($0.name)" })

    /// One pass over the query, no lookup by name: a parameter given twice counts the first time, except the
    /// lists (`exclude`, `recent`, `departments`), whose values are joined.
    static func fromQuery(_ query: QueryItems) throws(HTTPError) -> RecommendationRequest {
        var user: String?
        var hotel: String?
        var requestedCount: Int?
        var seen: String?
        var exclude: [String] = []
        var recent: [String] = []
        var departments: [String]?
        try query.forEachPair { pair throws(HTTPError) in
            switch Parameter(pair) {
            case .user: user = user ?? pair.valueString
            case .hotel: hotel = hotel ?? pair.valueString
            case .k:
                guard requestedCount == nil else { return }
                guard let parsed = pair.integerValue else {
                    throw invalid("k", "must be a whole number from 1 to 100, not '\(pair.valueString)'")
                }
                requestedCount = parsed
            case .seen: seen = seen ?? pair.valueString
            case .exclude: appendList(pair.valueString, to: &exclude)
            case .recent: appendList(pair.valueString, to: &recent)
            case .departments:
                var named = departments ?? []
                appendList(pair.valueString, to: &named)
                departments = named
            case nil:
                throw invalid(
                    pair.nameString,
                    "is not a parameter of /recommend; use \(fields.sorted().joined(separator: ", "))")
            }
        }
        let count = requestedCount ?? 10
        var includesSeen = false
        if let seen = consume seen { includesSeen = try includeSeen(seen) }
        try checkCount(count)
        let guest = consume user
        let hotelID = consume hotel
        return RecommendationRequest(
            user: guest.flatMap { $0.isEmpty ? nil : $0 }, count: count,
            hotel: hotelID.flatMap { $0.isEmpty ? nil : $0 },
            exclude: consume exclude, recent: consume recent, includeSeen: includesSeen,
            departments: consume departments)
    }

    static func fromJSON(_ body: [UInt8]) throws(HTTPError) -> RecommendationRequest {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: body[...])
        } catch {
            throw HTTPError.badRequest(
                "the body is not valid JSON: the reader stopped at byte \(error.offset)", code: "malformed_json")
        }
        guard case .object(let members) = document else {
            throw HTTPError.badRequest("the body must be a JSON object", code: "malformed_json")
        }
        var fields: [String: JSONValue] = [:]
        for member in members {
            guard Self.fields.contains(member.key) else {
                throw invalid(
                    member.key, "is not a field of /recommend; use \(Self.fields.sorted().joined(separator: ", "))")
            }
            fields[member.key] = member.value
        }
        var request = RecommendationRequest(user: try optionalIdentifier(fields["user"], field: "user"))
        if let k = fields["k"] {
            guard let count = k.wholeNumber else { throw invalid("k", "must be a whole number from 1 to 100") }
            request.count = count
        }
        request.hotel = try optionalIdentifier(fields["hotel"], field: "hotel")
        request.exclude = try identifiers(fields["exclude"], field: "exclude") ?? []
        request.recent = try identifiers(fields["recent"], field: "recent") ?? []
        request.departments = try identifiers(fields["departments"], field: "departments")
        if let seen = fields["seen"] {
            guard case .string(let text) = seen else { throw invalid("seen", "must be \"exclude\" or \"include\"") }
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

    /// A JSON body leaves out a field it has no value for, so that null never has to mean "none".
    private static let nullRefusal = "must not be null; leave the field out instead"

    /// Ids are strings; a CRM that sends the numeric `customer_seq` as a JSON number is understood too: a
    /// whole number stands for the decimal digits of its value, so `7`, `7.0` and `"7"` are the same id.
    private static func identifier(_ value: JSONValue, field: String) throws(HTTPError) -> String {
        switch value {
        case .string(let text): return text
        case .null: throw invalid(field, nullRefusal)
        default:
            guard let number = value.wholeNumber else {
                throw invalid(field, "must be a string or a 64-bit whole number; send other ids as strings")
            }
            return String(number)
        }
    }

    /// `user` or `hotel`: absent or empty means none was given, as in a query string.
    private static func optionalIdentifier(_ value: JSONValue?, field: String) throws(HTTPError) -> String? {
        guard let value else { return nil }
        let id = try identifier(value, field: field)
        return id.isEmpty ? nil : id
    }

    private static func identifiers(_ value: JSONValue?, field: String) throws(HTTPError) -> [String]? {
        switch value {
        case nil: return nil
        case .array(let elements)?:
            var ids: [String] = []
            for (position, element) in elements.enumerated() {
                let id = try identifier(element, field: "\(field)[\(position)]")
                guard !id.isEmpty else { throw invalid("\(field)[\(position)]", "must not be empty") }
                ids.append(id)
            }
            return ids
        case .null?: throw invalid(field, nullRefusal)
        default: throw invalid(field, "must be an array of ids (strings or whole numbers)")
        }
    }

    /// The ids of a comma-separated list, empty ones left out.
    private static func appendList(_ value: String, to ids: inout [String]) {
        for id in value.split(separator: ",") { ids.append(String(id)) }
    }

    static func invalid(_ field: String, _ problem: String) -> HTTPError {
        HTTPError.badRequest("\(field) \(problem)", code: "invalid_parameter")
    }
}
