/// The outcome of `ModelRegistry.verify`: which versions were checked and every mismatch found.
package struct VerificationReport: Sendable {
    package struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The file or folder concerned, as the registry names it.
        package var path: String
        package var message: String

        package var description: String { "\(path): \(message)" }
    }

    /// `model/version` of each version checked, in order.
    package var checked: [String]
    package var problems: [Problem]

    package var isClean: Bool { problems.isEmpty }
}
