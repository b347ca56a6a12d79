/// The outcome of `ModelRegistry.verify`: which versions were checked and every mismatch found.
public struct VerificationReport: Sendable {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The file or folder concerned, as the registry names it.
        public var path: String
        public var message: String

        public var description: String { "\(path): \(message)" }
    }

    /// `model/version` of each version checked, in order.
    public var checked: [String]
    public var problems: [Problem]

    public var isClean: Bool { problems.isEmpty }
}
