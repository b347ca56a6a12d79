import ConciergeData
import Foundation

/// Shows an ingest's progress on standard error while each file is read, on a terminal only: off one (CI logs,
/// pipes) the summary `ingest` prints per file is enough. Redrawn at most every 100 ms, however often the
/// ingester reports.
final class IngestProgressView {
    private let statusLine = TerminalStatusLine(minimumInterval: .milliseconds(100))
    /// Files are ingested one after the other, so each starts when the one before is done.
    private var fileStarted = ContinuousClock.now

    func show(_ progress: IngestProgress) {
        guard statusLine.isTerminal else { return }
        // Updating the store after the last row can take a while: that state is always shown.
        statusLine.draw(line(progress), force: progress.bytesRead >= progress.fileSize)
    }

    /// Erases the progress line, so the file's summary takes its place.
    func fileDone() {
        statusLine.clear()
        fileStarted = .now
    }

    private func line(_ progress: IngestProgress) -> String {
        let elapsed = (ContinuousClock.now - fileStarted) / .seconds(1)
        // The file's name, not its path: the whole line has to fit the terminal's width.
        let counts =
            "\((progress.path as NSString).lastPathComponent): read \(progress.read), accepted \(progress.accepted), quarantined "
            + "\(progress.quarantined), already present \(progress.alreadyPresent)"
        let rate = elapsed > 0 ? "  \(Int((Double(progress.read) / elapsed).rounded())) rows/s" : ""
        guard progress.bytesRead < progress.fileSize else { return counts + rate + "  all read, updating the store" }
        let share = Double(progress.bytesRead) / Double(max(progress.fileSize, 1))
        let eta = share > 0 ? "  ETA \(Int((elapsed / share * (1 - share)).rounded()))s" : ""
        return counts + rate + "  \(Int(share * 100))%" + eta
    }
}
