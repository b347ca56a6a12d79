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

/// In `concierge registry show --json`: `time` in ISO 8601, `details` as the JSON text the registry keeps.
extension RegistryEvent: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, time, action, model, version, details
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(time.formatted(.iso8601), forKey: .time)
        try container.encode(action.rawValue, forKey: .action)
        try container.encodeIfPresent(model, forKey: .model)
        try container.encodeIfPresent(version, forKey: .version)
        try container.encode(details, forKey: .details)
    }
}
