import ArgumentParser
import ConciergeData
import Foundation

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate order exports and add their rows to the feature store.",
        discussion: """
            Each file is ingested in one transaction. Rows that fail validation, repeat an order_seq of the same \
            file, change an order the store already has, or put an item on a second hotel's menu are appended to \
            the quarantine file (JSON Lines: file, line, reason, field, order_seq and the raw row). Rows the store \
            already holds unchanged count as already present, so ingesting a file twice changes nothing. \
            Every file is opened and its header checked first: a missing or unreadable file, a wrong header, or a \
            store of another schema version stops the command with a non-zero exit before anything is written. A \
            file that fails halfway leaves the store as it was before that file. Quarantined rows alone do not make \
            the command fail. On a terminal, a progress line on standard error counts the rows of the file being \
            read, with the rate and the time left; off one, only the summary of each file is printed.
            """)

    @Argument(help: "Order export CSV files, ingested in the order given.")
    var files: [String]

    @Option(help: "The feature store, an SQLite file; created if missing.")
    var store: String

    @Option(help: "JSON Lines file rejected rows are appended to (default: beside the store, STORE.quarantine.jsonl).")
    var quarantine: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one export file") }
    }

    func run() throws {
        // Before the store is opened, so that a wrong file list does not even create an empty store.
        try FeatureStore.checkExports(at: files)
        let featureStore = try FeatureStore(path: store)
        let quarantinePath = quarantine ?? FeatureStore.defaultQuarantinePath(forStoreAt: store)
        var fileStart = ContinuousClock.now
        let progressView = IngestProgressView()
        // Should a file fail halfway, its progress line is erased before the error is printed.
        defer { progressView.fileDone() }
        let reports = try featureStore.ingest(
            exportsAt: files, quarantineAt: quarantinePath, progress: progressView.show
        ) { report in
            progressView.fileDone()
            let elapsed = (ContinuousClock.now - fileStart).components
            let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
            print(
                "\(report.path): read \(report.read), accepted \(report.accepted), quarantined "
                    + "\(report.quarantined.count), already present \(report.alreadyPresent) "
                    + String(format: "(%.2f s)", seconds))
            for (reason, lines) in report.linesByReason.sorted(by: { $0.key.description < $1.key.description }) {
                let shown = lines.prefix(5).map(String.init).joined(separator: ", ") + (lines.count > 5 ? ", …" : "")
                let label = reason.description + String(repeating: " ", count: max(1, 40 - reason.description.count))
                print("  " + label + String(format: "%6d  lines ", lines.count) + shown)
            }
            fileStart = ContinuousClock.now
        }
        if reports.count > 1 {
            print(
                "all \(reports.count) files: read \(reports.reduce(0) { $0 + $1.read }), accepted "
                    + "\(reports.reduce(0) { $0 + $1.accepted }), quarantined "
                    + "\(reports.reduce(0) { $0 + $1.quarantined.count }), already present "
                    + "\(reports.reduce(0) { $0 + $1.alreadyPresent })")
        }
        if reports.contains(where: { !$0.quarantined.isEmpty }) {
            print("quarantined rows are in \(quarantinePath)")
        }
    }
}
