import ConciergeDigest

/// One line of the API key file: the SHA-256 of a bearer token, what it may do, and a name for people.
/// The token itself is never stored: whoever reads the file cannot call with it.
public struct APIKey: Sendable, Equatable {
    /// SHA-256 of the token's UTF-8 bytes.
    public var digest: [UInt8]
    public var scopes: Set<String>
    public var name: String

    public init(digest: [UInt8], scopes: Set<String>, name: String) {
        self.digest = digest
        self.scopes = scopes
        self.name = name
    }

    /// The key's line in the key file: `sha256:HEX scope,scope name`.
    public var line: String {
        "sha256:" + OpenSSLSHA256.hexDigits(digest) + " " + scopes.sorted().joined(separator: ",") + " " + name
    }

    /// A new random token: 32 bytes from the system's CSPRNG, in hex, after a prefix that secret scanners and
    /// people recognise.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return "ck_" + OpenSSLSHA256.hexDigits((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    public static func digest(of token: some StringProtocol) -> [UInt8] { OpenSSLSHA256.digest(of: Array(token.utf8)) }

    /// Compares every byte whatever the first difference, so the time taken says nothing of how much of a
    /// guessed digest was right.
    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
