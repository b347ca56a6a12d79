/// Why the API key file cannot be used; names the file and the line.
public struct APIKeyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}
