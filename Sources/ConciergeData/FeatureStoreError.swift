/// A store file that cannot be used, named in every message.
public enum FeatureStoreError: Error, CustomStringConvertible, Sendable {
    case notADatabase(path: String)
    case notAFeatureStore(path: String)
    case schemaVersion(path: String, found: Int, expected: Int)
    /// The ingest's own bookkeeping disagrees with itself; the file's transaction was rolled back.
    case countsDisagree(path: String, read: Int, accepted: Int, quarantined: Int, alreadyPresent: Int)

    public var description: String {
        switch self {
        case .notADatabase(let path):
            "\(path): not an SQLite database, so not a feature store"
        case .notAFeatureStore(let path):
            "\(path): an SQLite database, but not a Concierge feature store"
        case .schemaVersion(let path, let found, let expected):
            "\(path): feature store schema version \(found), but this build of concierge reads version \(expected)"
        case .countsDisagree(let path, let read, let accepted, let quarantined, let alreadyPresent):
            "\(path): read \(read) rows but accepted \(accepted) + quarantined \(quarantined) + already present "
                + "\(alreadyPresent) differ; nothing of this file was stored"
        }
    }
}
