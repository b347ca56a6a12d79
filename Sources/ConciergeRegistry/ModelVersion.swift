package import ConciergeModelFormat
package import Foundation

/// A published version as the registry database records it.
package struct ModelVersion: Sendable, Equatable {
    package var model: String
    package var version: Int
    package var created: Date
    package var kind: ModelKind
    package var hyperParameters: [String: HyperParameter]
    package var metrics: [String: Double]
    package var dataFingerprint: String
    package var manifestSHA256: String
    /// Sorted; empty when nothing points at this version.
    package var aliases: [String]
}
