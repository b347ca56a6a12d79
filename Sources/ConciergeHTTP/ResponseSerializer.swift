import HTTPTypes

/// Writes a response head and body into a connection's output bytes.
enum ResponseSerializer {
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    static func write(
        _ response: HTTPServerResponse,
        requestID: String,
        date: [UInt8],
        serverName: [UInt8],
        keepAlive: Bool,
        requestVersion: HTTPVersion,
        includeBody: Bool,
        into output: inout [UInt8]
    ) {
        output.reserveCapacity(output.count + 192 + response.body.count)
        output.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(response.status.code, to: &output)
        output.append(.space)
        output.append(contentsOf: response.status.reasonPhrase.utf8)
        output.append(contentsOf: "\r\nDate: ".utf8)
        output.append(contentsOf: date)
        output.append(contentsOf: "\r\nServer: ".utf8)
        output.append(contentsOf: serverName)
        output.append(contentsOf: "\r\nX-Request-Id: ".utf8)
        output.append(contentsOf: requestID.utf8)
        output.append(contentsOf: "\r\nContent-Length: ".utf8)
        appendDecimal(response.body.count, to: &output)
        if !keepAlive {
            output.append(contentsOf: "\r\nConnection: close".utf8)
        } else if requestVersion == .http1_0 {
            output.append(contentsOf: "\r\nConnection: keep-alive".utf8)
        }
        for field in response.headerFields where !isManagedByServer(field.name) {
            output.append(contentsOf: "\r\n".utf8)
            output.append(contentsOf: field.name.rawName.utf8)
            output.append(contentsOf: ": ".utf8)
            output.append(contentsOf: field.value.utf8)
        }
        output.append(contentsOf: "\r\n\r\n".utf8)
        if includeBody { output.append(contentsOf: response.body) }
    }

    private static func isManagedByServer(_ name: HTTPField.Name) -> Bool {
        name == .contentLength || name == .connection || name == .date || name == .server
            || name == .transferEncoding || name == requestIDField
    }

    static let requestIDField = HTTPField.Name("X-Request-Id")!

    static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        appendDecimal(value / 10, to: &output)
        output.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
