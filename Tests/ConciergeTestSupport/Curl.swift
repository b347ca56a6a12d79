import Foundation

/// curl, for requests exactly as a CRM would send them, and their answers parsed.
package enum Curl {
    /// An HTTP answer as a test reads it; the API's in-process tests read the router's answers the same way.
    package struct Answer {
        package var status: Int
        /// Names in lower case.
        package var headers: [String: String]
        package var body: String

        package init(status: Int, headers: [String: String], body: String) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        package var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
    }

    package struct Failure: Error {
        package var output: String
    }

    package static func get(_ url: String) throws -> Answer { try run([url]) }

    package static func post(_ url: String, json: String) throws -> Answer {
        try run(["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", json, url])
    }

    private static func run(_ arguments: [String]) throws -> Answer {
        let text = try runCurl(["-sS", "-i", "--max-time", "10"] + arguments).stdout
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure(output: text) }
        let head = text[..<split.lowerBound].split(separator: "\r\n")
        guard let status = head.first.flatMap({ Int($0.split(separator: " ")[1]) }) else { throw Failure(output: text) }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return Answer(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}
