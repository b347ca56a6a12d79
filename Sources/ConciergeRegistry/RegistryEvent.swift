package import Foundation

/// One entry of the registry's append-only log.
package struct RegistryEvent: Sendable, Equatable {
    package enum Action: String, Sendable {
        case publish, promote, gc
    }

    package var id: Int
    package var time: Date
    package var action: Action
    /// Absent for registry-wide events (gc).
    package var model: String?
    package var version: Int?
    /// A JSON object whose fields depend on the action (docs/model-format.md).
    package var details: String
}
