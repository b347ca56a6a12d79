/// What `ModelRegistry.gc` removed.
public struct GarbageCollectionReport: Sendable, Equatable {
    /// `model/version` of each unaliased version past the ones kept.
    public var removedVersions: [String] = []
    /// Version folders without a registry row: publishes that died between rename and commit.
    public var removedOrphans: [String] = []
    /// Temporary folders of publishes that died before rename.
    public var removedTemporaryFolders: [String] = []
}
