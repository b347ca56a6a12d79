public import ConciergeModelFormat
public import Foundation

/// A published version as the registry database records it.
public struct ModelVersion: Sendable, Equatable {
    public var model: String
    public var version: Int
    public var created: Date
    public var kind: ModelKind
    public var hyperParameters: [String: HyperParameter]
    public var metrics: [String: Double]
    public var dataFingerprint: String
    public var manifestSHA256: String
    /// Sorted; empty when nothing points at this version.
    public var aliases: [String]
}
