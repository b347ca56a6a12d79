import ConciergeTestSupport
import Foundation
import Testing

/// `concierge ingest` as an operator runs it: on a terminal it shows progress while it reads, in a pipe it
/// prints the summary alone. The real binary, with `script` giving it a pseudo-terminal.
@Suite struct IngestCommandTests {
    @Test func progressIsDrawnOnATerminalOnly() throws {
        guard let binary = requireConciergeBinary() else { return }
        let script = "/usr/bin/script"
        guard FileManager.default.isExecutableFile(atPath: script) else {
            Issue.record("\(script) (util-linux) is needed to run ingest on a pseudo-terminal")
            return
        }
        let scratch = ScratchDirectory()
        let export = scratch.path + "/orders.csv"
        let sample = try runProcess(binary, ["sample", "--out", export, "--guests", "3000"])
        #expect(sample.status == 0, "\(sample.stderr)")

        let piped = try runProcess(binary, ["ingest", export, "--store", scratch.path + "/piped.sqlite"])
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty)
        #expect(piped.stdout.hasPrefix("\(export): read 12000, accepted "))

        let command = [binary, "ingest", export, "--store", scratch.path + "/terminal.sqlite"]
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let terminal = try runProcess(script, ["--quiet", "--return", "--command", command, "/dev/null"])
        #expect(terminal.status == 0, "\(terminal.stdout)")
        // Each redraw returns to the start of the line and clears what is left of the one before; it names the
        // file without its folder, to fit.
        let redraws = terminal.stdout.components(separatedBy: "\rorders.csv: read ").dropFirst()
        #expect(redraws.contains { $0.contains(" rows/s  ") && $0.contains("%  ETA ") && $0.contains("\u{1B}[K") })
        #expect(redraws.contains { $0.contains("all read, updating the store") })
        // The summary replaces the progress line.
        #expect(terminal.stdout.contains("\u{1B}[K\(export): read 12000, accepted "))
    }
}
