#if canImport(Glibc)
import Glibc
#endif
import ConciergeTraining
import Foundation

/// Shows training's progress on standard error: a bar with the stage, ETA and loss on a terminal,
/// one plain line per step otherwise (CI logs, pipes).
final class TrainingProgressView {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var stage = ""
    private var steps = 0
    private var done = 0
    private var stageStarted = Date()
    private var lastLoss: Double?

    func show(_ event: TrainingEvent) {
        switch event {
        case .stage(let name, let steps):
            if isTerminal, self.steps > 0 { write("\n") }
            stage = name
            self.steps = steps
            done = 0
            lastLoss = nil
            stageStarted = Date()
            if isTerminal { drawBar(detail: "") } else { write("\(name) (\(steps) steps)\n") }
        case .step(let detail, let loss):
            done += 1
            if let loss { lastLoss = loss }
            if isTerminal {
                drawBar(detail: detail)
                if done == steps { write("\n") }
            } else {
                let lossText = loss.map { ", loss \(Self.format($0))" } ?? ""
                write("  [\(done)/\(steps)] \(detail)\(lossText)\n")
            }
        }
    }

    private func drawBar(detail: String) {
        let width = 24
        let filled = steps == 0 ? width : width * done / steps
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let elapsed = Date().timeIntervalSince(stageStarted)
        let eta = done == 0 ? "" : "  ETA \(Int((elapsed / Double(done) * Double(steps - done)).rounded()))s"
        let loss = lastLoss.map { "  loss \(Self.format($0))" } ?? ""
        let line = "\(stage) [\(bar)] \(done)/\(steps)\(eta)\(loss)  \(detail)"
        // \r returns to the line's start and ESC[K clears what a longer previous line left.
        write("\r\(line.prefix(160))\u{1B}[K")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    private static func format(_ value: Double) -> String { String(format: "%.4g", value) }
}
