/// What ingesting one export file did. Every data row is counted once: `read` is always
/// `accepted + alreadyPresent + quarantined.count`.
public struct IngestReport: Sendable {
    public struct QuarantinedRow: Sendable, Equatable {
        /// The line of the file on which the row starts.
        public var line: Int
        public var reason: RejectionReason
    }

    public var path: String
    /// FNV-1a 64 of the file's bytes, in hex.
    public var fingerprint: String
    public var bytes: Int
    public var read: Int
    public var accepted: Int
    /// Rows whose order the store already held with identical content.
    public var alreadyPresent: Int
    /// In file order.
    public var quarantined: [QuarantinedRow]

    /// The quarantined rows' lines, grouped by reason.
    public var linesByReason: [RejectionReason: [Int]] {
        Dictionary(grouping: quarantined, by: \.reason).mapValues { $0.map(\.line) }
    }
}
