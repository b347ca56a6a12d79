import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A status line on standard error that a long command redraws in place while it runs, when standard error is a
/// terminal: `train`'s and `ingest`'s progress.
final class TerminalStatusLine {
    let isTerminal = isatty(STDERR_FILENO) == 1
    /// Redraws closer together than this are skipped, so a caller may report as often as it likes.
    private let minimumInterval: Duration
    private var lastDrawn: ContinuousClock.Instant?
    /// Whether the cursor is on a drawn line that nothing has ended yet.
    private var isShown = false

    init(minimumInterval: Duration = .zero) {
        self.minimumInterval = minimumInterval
    }

    /// Replaces the line with `text`, unless the last redraw was under `minimumInterval` ago and `force` is off.
    func draw(_ text: @autoclosure () -> String, force: Bool = false) {
        let now = ContinuousClock.now
        if !force, let lastDrawn, now - lastDrawn < minimumInterval { return }
        lastDrawn = now
        isShown = true
        // \r returns to the line's start and ESC[K clears what a longer previous line left.
        write("\r\(text().prefix(160))\u{1B}[K")
    }

    /// Leaves the line as drawn and moves to the next one.
    func end() {
        guard isShown else { return }
        isShown = false
        write("\n")
    }

    /// Erases the line, for output that replaces it.
    func clear() {
        guard isShown else { return }
        isShown = false
        lastDrawn = nil
        write("\r\u{1B}[K")
    }

    func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
