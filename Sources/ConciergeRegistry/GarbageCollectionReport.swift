/// What `ModelRegistry.gc` removed.
package struct GarbageCollectionReport: Sendable, Equatable {
    /// `model/version` of each unaliased version past the ones kept.
    package var removedVersions: [String] = []
    /// Version folders without a registry row: publishes that died between rename and commit.
    package var removedOrphans: [String] = []
    /// Temporary folders of publishes that died before rename.
    package var removedTemporaryFolders: [String] = []
}
