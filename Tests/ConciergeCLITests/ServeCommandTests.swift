// `concierge serve` and `concierge healthcheck` as a deployment runs them: settings from the environment, and a
// damaged model that must stop the start with the file named.

import ConciergeTestSupport
import Foundation
import Testing

@Suite struct ServeCommandTests {
    @Test func aCorruptModelFileStopsStartWithTheFileNamed() throws {
        guard let binary = requireConciergeBinary() else { return }
        let registry = SampleModel.registry
        let copy = registry.folder + "/corrupt-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: registry.directory, toPath: copy)
        let versionFolder = copy + "/roomservice/1"
        let file = try #require(
            FileManager.default.contentsOfDirectory(atPath: versionFolder).first { $0.hasPrefix("item_neighbours") })
        let path = versionFolder + "/" + file
        try makeWritable(path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        let server = try ServeProcess(binary: binary, registry: copy)
        defer { server.stop() }
        let status = server.waitForExit()
        #expect(status != nil && status != 0)
        #expect(server.log.contains(file), "the log must name \(file): \(server.log)")
    }

    @Test func healthcheckAndEnvironmentVariables() throws {
        guard let binary = requireConciergeBinary() else { return }
        let server = try ServeProcess(
            binary: binary, registry: nil,
            environment: ["CONCIERGE_REGISTRY": SampleModel.registry.directory, "CONCIERGE_COLOR": "green"])
        defer { server.stop() }
        #expect(server.waitUntilReady(), "\(server.log)")
        #expect(try Curl.get("http://127.0.0.1:\(server.port)/health").json["color"] as? String == "green")
        let healthy = try runProcess(binary, ["healthcheck", "--url", "http://127.0.0.1:\(server.port)/health"])
        #expect(healthy.status == 0, "\(healthy.stderr)")
        let nobody = try runProcess(binary, ["healthcheck", "--url", "http://127.0.0.1:\(try freePort())/health"])
        #expect(nobody.status != 0)
    }
}
