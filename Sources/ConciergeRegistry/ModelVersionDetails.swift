package import ConciergeModelFormat

/// What `show` reports: the database's record, the manifest it vouches for, and the version's events.
package struct ModelVersionDetails: Sendable {
    package var version: ModelVersion
    package var manifest: ModelManifest
    /// Publish and promotions of this version, oldest first.
    package var events: [RegistryEvent]
}

/// `concierge registry show --json`: the version's fields as `list --json` has them, plus `manifest` and
/// `events`.
extension ModelVersionDetails: Encodable {
    enum CodingKeys: String, CodingKey {
        case manifest, events
    }

    package func encode(to encoder: any Encoder) throws {
        try version.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(manifest, forKey: .manifest)
        try container.encode(events, forKey: .events)
    }
}
