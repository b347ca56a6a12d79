public import ConciergeModelFormat
/// What `show` reports: the database's record, the manifest it vouches for, and the version's events.
public struct ModelVersionDetails: Sendable {
    public var version: ModelVersion
    public var manifest: ModelManifest
    /// Publish and promotions of this version, oldest first.
    public var events: [RegistryEvent]
}
