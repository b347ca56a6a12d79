public import HTTPTypes

/// An error a responder throws, or the server raises, to answer with
/// `{"error":{"code":…,"message":…}}` and the given status.
public struct HTTPError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// A stable machine-readable name, such as `bad_request` or `payload_too_large`.
    public var code: String
    /// A sentence for a person, naming what was wrong.
    public var message: String
    public var headerFields: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, headerFields: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headerFields = headerFields
    }

    var response: HTTPServerResponse {
        var body = #"{"error":{"code":"#
        JSONString.append(code, to: &body)
        body += #","message":"#
        JSONString.append(message, to: &body)
        body += "}}"
        var response = HTTPServerResponse.json(body, status: status)
        response.headerFields.append(contentsOf: headerFields)
        return response
    }

    public static func badRequest(_ message: String, code: String = "bad_request") -> HTTPError {
        HTTPError(.badRequest, code: code, message: message)
    }

    public static func notFound(_ message: String, code: String = "not_found") -> HTTPError {
        HTTPError(.notFound, code: code, message: message)
    }
}

/// JSON string literal escaping, kept here so error bodies need no encoder. `package`: ConciergeAPI writes its
/// JSON answers with it, but it is no part of an HTTP server's interface.
package enum JSONString {
    package static func append(_ string: String, to output: inout String) {
        output.append("\"")
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output.append("\\\"")
            case "\\": output.append("\\\\")
            case "\n": output.append("\\n")
            case "\r": output.append("\\r")
            case "\t": output.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output.append("\"")
    }
}
