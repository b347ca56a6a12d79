import ConciergeTestSupport
import Foundation
import Testing

/// docs/openapi.yaml is a valid OpenAPI document, and live answers of every route match it.
@Suite struct OpenAPIConformanceTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func liveResponsesMatchTheSpec() throws {
        let binary = try #require(requireConciergeBinary())
        let server = try ServeProcess(binary: binary)
        defer { server.stop() }
        try #require(server.waitUntilReady(), "\(server.log)")
        let model = try SampleModel.registry.open()
        let base = "http://127.0.0.1:\(server.port)"
        let user = model.userID(0)
        let item = model.itemID(0)
        let hotel = model.hotelID(0)
        let gets = [
            "/recommend?user=\(user)&k=5", "/recommend?hotel=\(hotel)&recent=\(item)", "/recommend?hotel=\(hotel)",
            "/recommend?k=0", "/recommend?hotel=nowhere", "/similar?item=\(item)&k=3", "/similar?item=nothing",
            "/similar", "/model", "/health", "/live",
        ]
        var captured: [[String: Any]] = []
        for path in gets {
            let answer = try Curl.get(base + path)
            captured.append(["method": "GET", "path": path, "status": answer.status, "body": answer.body])
        }
        let bodies = [
            #"{"user":"\#(user)","k":3,"departments":["\#(model.item(0).department)"]}"#, #"{"k":"x"}"#,
            #"{"hotel":\#(hotel),"k":1,"exclude":[0,1]}"#, #"{"user":null}"#,
        ]
        for body in bodies {
            let answer = try Curl.post(base + "/recommend", json: body)
            captured.append(["method": "POST", "path": "/recommend", "status": answer.status, "body": answer.body])
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("responses-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: captured).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let checker = Process()
        checker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        checker.arguments = [
            "python3", Self.repository.appendingPathComponent("Tests/ConciergeAPITests/check_openapi.py").path,
            Self.repository.appendingPathComponent("docs/openapi.yaml").path, file.path,
        ]
        let output = Pipe()
        checker.standardOutput = output
        checker.standardError = output
        try checker.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        checker.waitUntilExit()
        #expect(checker.terminationStatus == 0, "\(report)")
        #expect(report.contains("checked \(captured.count) responses"), "\(report)")
    }
}
