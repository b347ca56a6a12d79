import Foundation
import Synchronization

/// The API keys in force, read from a file of `sha256:HEX scope,scope name` lines (`#` starts a comment).
/// Several keys can be active at once, so a client moves to a new key before the old line is removed;
/// `reload()` reads the file again (on SIGHUP), and keeps the keys in use when the new file is unusable.
public final class APIKeyStore: Sendable {
    public let path: String
    private let keys: Mutex<[APIKey]>

    public init(path: String) throws(APIKeyFileError) {
        self.path = path
        keys = Mutex(try Self.read(path))
    }

    public var count: Int { keys.withLock { $0.count } }

    public func reload() throws(APIKeyFileError) {
        let fresh = try Self.read(path)
        keys.withLock { $0 = fresh }
    }

    /// The key whose digest is the token's. Every key is compared, in constant time each, so neither the
    /// position of the match nor the bytes in common show in the time taken.
    func key(for token: Substring) -> APIKey? {
        let digest = APIKey.digest(of: token)
        return keys.withLock { keys in
            var found: APIKey?
            for key in keys where APIKey.constantTimeEqual(key.digest, digest) { found = key }
            return found
        }
    }

    static func read(_ path: String) throws(APIKeyFileError) -> [APIKey] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw APIKeyFileError(description: "cannot read the API key file \(path): \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(APIKeyFileError) -> [APIKey] {
        var keys: [APIKey] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.prefix { $0 != "#" }
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard !fields.isEmpty else { continue }
            func failure(_ problem: String) -> APIKeyFileError {
                APIKeyFileError(description: "\(file) line \(number + 1): \(problem)")
            }
            guard fields.count == 3 else {
                throw failure("expected 'sha256:HEX scope,scope name', found \(fields.count) fields")
            }
            guard fields[0].hasPrefix("sha256:"), let digest = hexBytes(fields[0].dropFirst(7)), digest.count == 32
            else {
                throw failure("the key must be sha256: and 64 hex digits (the token itself is never stored)")
            }
            let scopes = Set(fields[1].split(separator: ",").map(String.init))
            guard !scopes.isEmpty else { throw failure("the key has no scopes") }
            // The name is the key's identity for the rate limit, so two keys sharing one would share a budget.
            guard !keys.contains(where: { $0.name == fields[2] }) else {
                throw failure("another key is already named \(fields[2])")
            }
            keys.append(APIKey(digest: digest, scopes: scopes, name: String(fields[2])))
        }
        return keys
    }

    private static func hexBytes(_ hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = PercentDecoding.hexValue(digits[index]),
                let low = PercentDecoding.hexValue(digits[index + 1])
            else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}
