/// How far the ingest of one export file has come: what `FeatureStore.ingest` reports after each chunk it reads,
/// counted as `IngestReport` counts. The last report of a file holds the file's final counts.
public struct IngestProgress: Sendable, Equatable {
    public var path: String
    public var bytesRead: Int
    /// The file's size when its ingest began, so that a display can estimate the time left.
    public var fileSize: Int
    public var read: Int
    public var accepted: Int
    public var alreadyPresent: Int
    public var quarantined: Int
}
