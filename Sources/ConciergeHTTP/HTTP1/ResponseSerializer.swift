import HTTPTypes

/// Writes a response head and body into a connection's output bytes.
enum ResponseSerializer {
    static let continueResponse = bytes("HTTP/1.1 100 Continue\r\n\r\n")

    static func write(
        _ response: HTTPServerResponse,
        requestID: String,
        date: [UInt8],
        serverName: [UInt8],
        fixedHeaders: [UInt8],
        keepAlive: Bool,
        requestVersion: HTTPVersion,
        includeBody: Bool,
        into output: inout [UInt8]
    ) {
        output.reserveCapacity(output.count + 192 + response.body.count)
        output.append(contentsOf: statusLine(response.status))
        output.append(contentsOf: Fixed.date)
        output.append(contentsOf: date)
        output.append(contentsOf: Fixed.server)
        output.append(contentsOf: serverName)
        output.append(contentsOf: Fixed.requestID)
        appendUTF8(requestID, to: &output)
        output.append(contentsOf: Fixed.contentLength)
        appendDecimal(response.body.count, to: &output)
        if !keepAlive {
            output.append(contentsOf: Fixed.connectionClose)
        } else if requestVersion == .http1_0 {
            output.append(contentsOf: Fixed.connectionKeepAlive)
        }
        output.append(contentsOf: fixedHeaders)
        for field in response.headerFields where !isManagedByServer(field.name) {
            output.append(contentsOf: Fixed.lineEnd)
            appendUTF8(field.name.rawName, to: &output)
            output.append(contentsOf: Fixed.colonSpace)
            appendUTF8(field.value, to: &output)
        }
        output.append(contentsOf: Fixed.headEnd)
        if includeBody { output.append(contentsOf: response.body) }
    }

    private enum Fixed {
        static let date = bytes("\r\nDate: ")
        static let server = bytes("\r\nServer: ")
        static let requestID = bytes("\r\nX-Request-Id: ")
        static let contentLength = bytes("\r\nContent-Length: ")
        static let connectionClose = bytes("\r\nConnection: close")
        static let connectionKeepAlive = bytes("\r\nConnection: keep-alive")
        static let lineEnd = bytes("\r\n")
        static let colonSpace = bytes(": ")
        static let headEnd = bytes("\r\n\r\n")
        static let ok = bytes("HTTP/1.1 200 OK")
    }

    private static func statusLine(_ status: HTTPResponse.Status) -> [UInt8] {
        status.code == 200 && status.reasonPhrase == "OK"
            ? Fixed.ok : bytes("HTTP/1.1 \(status.code) \(status.reasonPhrase)")
    }

    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// The configured extra headers, serialised once at start: each as CRLF, name, ": ", value.
    static func fixedHeaderBytes(_ fields: HTTPFields) -> [UInt8] {
        var output: [UInt8] = []
        for field in fields where !isManagedByServer(field.name) {
            output.append(contentsOf: Fixed.lineEnd)
            appendUTF8(field.name.rawName, to: &output)
            output.append(contentsOf: Fixed.colonSpace)
            appendUTF8(field.value, to: &output)
        }
        return output
    }

    /// Through `withUTF8`: appending a `String.UTF8View` walks small strings byte by byte.
    private static func appendUTF8(_ string: String, to output: inout [UInt8]) {
        var string = string
        string.withUTF8 { output.append(contentsOf: $0) }
    }

    static func isManagedByServer(_ name: HTTPField.Name) -> Bool {
        name == .contentLength || name == .connection || name == .date || name == .server
            || name == .transferEncoding || name == KnownField.requestID
    }

    static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        appendDecimal(value / 10, to: &output)
        output.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
