package import ConciergeModelFormat

/// What `show` reports: the database's record, the manifest it vouches for, and the version's events.
package struct ModelVersionDetails: Sendable {
    package var version: ModelVersion
    package var manifest: ModelManifest
    /// Publish and promotions of this version, oldest first.
    package var events: [RegistryEvent]
}
