package import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How a child process ended and what it wrote.
package struct ProcessResult {
    package var status: Int32
    package var stdout: String
    package var stderr: String
}

/// Runs `executable` with `arguments` and `environment` added to the test's own, capturing its output; kills it
/// if it outlives `timeout`. The output goes to files, so a chatty child never blocks on a full pipe.
package func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 30
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let directory = FileManager.default.temporaryDirectory
    let stdoutURL = directory.appendingPathComponent("concierge-test-\(UUID().uuidString).out")
    let stderrURL = directory.appendingPathComponent("concierge-test-\(UUID().uuidString).err")
    _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: stdoutURL)
        try? FileManager.default.removeItem(at: stderrURL)
    }
    let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
    let stderrHandle = try FileHandle(forWritingTo: stderrURL)
    process.standardOutput = stdoutHandle
    process.standardError = stderrHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let pid = process.processIdentifier
    defer {
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        try? stdoutHandle.close()
        try? stderrHandle.close()
    }
    if !poll(until: timeout, { !process.isRunning }) {
        kill(pid, SIGKILL)
        process.waitUntilExit()
        throw ClientError(description: "\(executable) did not finish within \(timeout) s")
    }
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus,
        stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
}

package func runCurl(_ arguments: [String], timeout: Double = 15) throws -> ProcessResult {
    try runProcess("/usr/bin/curl", arguments, timeout: timeout)
}

/// Splits curl `-i` output into its responses (curl prints every head, including 100 Continue).
package func curlHeads(_ output: String) -> [String] {
    output.components(separatedBy: "\r\n\r\n").filter { $0.hasPrefix("HTTP/") }
}

/// Polls `condition` every 10 ms until it holds or `seconds` pass. Returns whether it held.
@discardableResult
package func poll(until seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if condition() { return true }
        if Date() >= deadline { return false }
        usleep(10_000)
    }
}

package func elapsed(since start: Date) -> Double { Date().timeIntervalSince(start) }
