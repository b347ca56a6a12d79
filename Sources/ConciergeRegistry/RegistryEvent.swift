public import Foundation

/// One entry of the registry's append-only log.
public struct RegistryEvent: Sendable, Equatable {
    public enum Action: String, Sendable {
        case publish, promote, gc
    }

    public var id: Int
    public var time: Date
    public var action: Action
    /// Absent for registry-wide events (gc).
    public var model: String?
    public var version: Int?
    /// A JSON object whose fields depend on the action (docs/model-format.md).
    public var details: String
}
