package import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `concierge serve` in a child process on a free loopback port, stopped when the test is done with it.
package final class ServeProcess {
    package let process = Process()
    package let port: Int
    private let logURL: URL
    private let logHandle: FileHandle

    /// `registry`: the `--registry` folder, the sample model's unless a test gives another, or none when the
    /// environment names it. `environment`: variables added to the test's own, such as `CONCIERGE_*` settings.
    /// `accessLog`: log a line per request, which only the access-log tests want to read.
    package init(
        binary: String, registry: String? = SampleModel.registry.directory, arguments: [String] = [],
        environment: [String: String] = [:], accessLog: Bool = false
    ) throws {
        port = try freePort()
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent(
            "concierge-serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        logHandle = try FileHandle(forWritingTo: logURL)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            ["serve", "--host", "127.0.0.1", "--port", String(port)] + (registry.map { ["--registry", $0] } ?? [])
            + (accessLog ? [] : ["--no-access-log"]) + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
    }

    package var pid: pid_t { process.processIdentifier }
    package var isRunning: Bool { process.isRunning }

    package func signal(_ number: Int32) { kill(pid, number) }

    /// Waits until `/health` answers 200 on a new connection; false if the process ends or `timeout` passes first.
    package func waitUntilReady(timeout: Double = 20) -> Bool {
        poll(until: timeout) {
            guard isRunning, let client = try? RawClient(port: port) else { return false }
            return (try? client.exchange(getRequest("/health", headers: ["Connection: close"]), timeout: 1))?.status
                == 200
        }
    }

    /// Waits for the process to exit; returns its exit status, or nil past `timeout`.
    package func waitForExit(timeout: Double = 20) -> Int32? {
        guard poll(until: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    package var terminationReason: Process.TerminationReason { process.terminationReason }

    /// What the server logged so far.
    package var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// SIGTERM, then SIGKILL if it is still there a moment later. Safe to call more than once.
    package func stop() {
        if process.isRunning {
            kill(pid, SIGTERM)
            if !poll(until: 2, { !process.isRunning }) { kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
        try? logHandle.close()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: logURL)
    }
}
