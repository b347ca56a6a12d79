import ConciergeJSON
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
        let body = JSONWriter.collect(reservingCapacity: 40 + code.utf8.count + message.utf8.count) { body in
            body.writeRaw(#"{"error":{"code":"#)
            body.writeString(code)
            body.writeRaw(#","message":"#)
            body.writeString(message)
            body.writeRaw("}}")
        }
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
