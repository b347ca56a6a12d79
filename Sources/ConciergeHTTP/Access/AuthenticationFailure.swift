/// Why a request was refused for its credentials; the raw value labels the failure in /metrics.
public enum AuthenticationFailure: String, Sendable, CaseIterable {
    /// No `Authorization` field.
    case missing
    /// `Authorization` is not `Bearer` and a token.
    case malformed
    /// A token no configured key hashes to.
    case unknownKey = "unknown_key"
    /// A valid key without the route's scope (403).
    case missingScope = "missing_scope"
}
