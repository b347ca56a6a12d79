import Foundation

/// A request a new colour must answer with items before it gets traffic: `GET /recommend` for a guest or
/// `GET /similar` for an item, ten items each.
package enum GoldenRequest: Sendable, Equatable {
    case guest(String)
    case item(String)

    /// The path and query, the id percent-encoded.
    package var path: String {
        switch self {
        case .guest(let id): "/recommend?k=10&user=" + Self.percentEncoded(id)
        case .item(let id): "/similar?k=10&item=" + Self.percentEncoded(id)
        }
    }

    /// The lines of a golden-requests file: `guest ID` or `item ID`, blank lines and `#` comments skipped.
    /// `file` names it in errors.
    package static func parse(_ text: String, file: String) throws(DeployCheckError) -> [GoldenRequest] {
        var requests: [GoldenRequest] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let first = words.first, !first.hasPrefix("#") else { continue }
            switch (first, words.count) {
            case ("guest", 2): requests.append(.guest(words[1]))
            case ("item", 2): requests.append(.item(words[1]))
            default:
                throw DeployCheckError("\(file) line \(index + 1): expected \"guest ID\" or \"item ID\", got: \(line)")
            }
        }
        return requests
    }

    /// At most `count` positions spread at even steps over `0..<total`, starting at 0: a version's golden
    /// guests or items when no file names them.
    package static func spread(_ count: Int, over total: Int) -> [Int] {
        guard count > 0, total > 0 else { return [] }
        let step = (total + count - 1) / count
        return Array(stride(from: 0, to: total, by: step).prefix(count))
    }

    /// RFC 3986's unreserved characters stay; every other byte becomes %XX.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func percentEncoded(_ text: String) -> String {
        // Only invalid UTF-16 makes it nil, which a Swift String cannot hold.
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
