import ConciergeTraining
import Foundation

/// Shows training's progress on standard error: a bar with the stage, ETA and loss on a terminal,
/// one plain line per step otherwise (CI logs, pipes).
final class TrainingProgressView {
    private let statusLine = TerminalStatusLine()
    private var isTerminal: Bool { statusLine.isTerminal }
    private var stage = ""
    private var steps = 0
    private var done = 0
    private var stageStarted = Date()
    private var lastLoss: Double?

    func show(_ event: TrainingEvent) {
        switch event {
        case .stage(let name, let steps):
            statusLine.end()
            stage = name
            self.steps = steps
            done = 0
            lastLoss = nil
            stageStarted = Date()
            if isTerminal { drawBar(detail: "") } else { statusLine.write("\(name) (\(steps) steps)\n") }
        case .step(let detail, let loss):
            done += 1
            if let loss { lastLoss = loss }
            if isTerminal {
                drawBar(detail: detail)
                if done == steps { statusLine.end() }
            } else {
                let lossText = loss.map { ", loss \(Self.format($0))" } ?? ""
                statusLine.write("  [\(done)/\(steps)] \(detail)\(lossText)\n")
            }
        case .notice(let line):
            statusLine.end()
            statusLine.write(line + "\n")
        }
    }

    private func drawBar(detail: String) {
        let width = 24
        let filled = steps == 0 ? width : width * done / steps
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let elapsed = Date().timeIntervalSince(stageStarted)
        let eta = done == 0 ? "" : "  ETA \(Int((elapsed / Double(done) * Double(steps - done)).rounded()))s"
        let loss = lastLoss.map { "  loss \(Self.format($0))" } ?? ""
        statusLine.draw("\(stage) [\(bar)] \(done)/\(steps)\(eta)\(loss)  \(detail)")
    }

    private static func format(_ value: Double) -> String { String(format: "%.4g", value) }
}
