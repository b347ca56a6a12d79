#if canImport(Glibc)
import Glibc
#endif
import ConciergeData
import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTraining
import Foundation
import Testing

/// A registry with one trained model (production), made once per test run from generated data.
enum ServiceFixture {
    struct Registry: Sendable {
        var directory: String
        var store: String
        var folder: String
    }

    static let registry: Registry = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("concierge-api-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let export = folder + "/orders.csv"
        _ = try! SampleExportGenerator(configuration: .init(guests: 800, seed: 5)).write(to: export)
        let store = try! FeatureStore(path: folder + "/store.sqlite")
        _ = try! store.ingest(exportsAt: [export], quarantineAt: folder + "/q.jsonl") { _ in }
        let outcome = try! ModelTrainer(options: TrainingOptions(factors: 8, iterations: 5, tune: false))
            .train(try! store.trainingData())
        let registry = ModelRegistry(directory: folder + "/models")
        let version = try! registry.publish(model: "roomservice", artifacts: outcome.artifacts)
        try! registry.promote(model: "roomservice", version: version, alias: "production")
        return Registry(directory: folder + "/models", store: folder + "/store.sqlite", folder: folder)
    }()

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["CONCIERGE_BIN"] { return path }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        // In a test bundle, the binary sits beside the bundle folder.
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("concierge").path), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("concierge").path
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// `concierge serve` started by a test on a loopback port, stopped by PID when the test ends.
final class ServeProcess {
    let port: Int
    let process = Process()
    private let output = Pipe()

    init(arguments: [String] = [], environment: [String: String] = [:], port: Int = ServiceFixture.freePort()) throws {
        self.port = port
        process.executableURL = URL(fileURLWithPath: ServiceFixture.binary)
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", String(port), "--no-access-log"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    deinit { stop() }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits for `/health` to say ready, or for the process to end.
    func waitUntilReady(timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, process.isRunning {
            if let answer = try? Curl.get("http://127.0.0.1:\(port)/health"), answer.status == 200 { return true }
            usleep(50_000)
        }
        return false
    }

    func waitForExit(timeout: Double = 20) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    var log: String {
        String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
    }
}

/// curl, for requests exactly as a CRM would send them.
enum Curl {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
    }

    static func get(_ url: String) throws -> Answer { try run([url]) }

    static func post(_ url: String, json: String) throws -> Answer {
        try run(["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", json, url])
    }

    static func run(_ arguments: [String]) throws -> Answer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "-i", "--max-time", "10"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        // Connection refused while a server starts is expected; the answer (or its absence) is what is checked.
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw CurlFailure(output: text) }
        let head = text[..<split.lowerBound].split(separator: "\r\n")
        guard let status = head.first.flatMap({ Int($0.split(separator: " ")[1]) }) else { throw CurlFailure(output: text) }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Answer(status: status, headers: headers, body: String(text[split.upperBound...]))
    }

    struct CurlFailure: Error {
        var output: String
    }
}
