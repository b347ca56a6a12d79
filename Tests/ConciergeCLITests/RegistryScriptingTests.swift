import ConciergeTestSupport
import Foundation
import Testing

/// What scripts read from `concierge registry`: `resolve`'s number and the `--json` of `list` and `show`,
/// instead of the first line of a table meant for people.
@Suite struct RegistryScriptingTests {
    private let models = SampleModel.registry.directory

    @Test func resolvePrintsTheVersionNumber() throws {
        guard let binary = requireConciergeBinary() else { return }
        for name in ["production", "latest", "1"] {
            let resolved = try runProcess(binary, ["registry", "resolve", "roomservice", name, "--registry", models])
            #expect(resolved.status == 0 && resolved.stdout == "1\n", "\(name): \(resolved.stderr)")
        }
        let unknown = try runProcess(binary, ["registry", "resolve", "roomservice", "staging", "--registry", models])
        #expect(unknown.status != 0 && unknown.stdout.isEmpty)
        #expect(unknown.stderr.contains("staging"), "\(unknown.stderr)")
    }

    @Test func listJSON() throws {
        guard let binary = requireConciergeBinary() else { return }
        let list = try runProcess(binary, ["registry", "list", "--json", "--registry", models])
        #expect(list.status == 0, "\(list.stderr)")
        let versions = try #require(
            try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]], "\(list.stdout)")
        #expect(versions.count == 1)
        let version = try #require(versions.first)
        #expect(version["model"] as? String == "roomservice")
        #expect(version["version"] as? Int == 1)
        #expect(version["aliases"] as? [String] == ["production"])
        #expect(version["kind"] as? String != nil)
        #expect((version["created"] as? String).flatMap { try? Date($0, strategy: .iso8601) } != nil)
        #expect((version["metrics"] as? [String: Double])?["map@10"] != nil)
        #expect((version["manifest_sha256"] as? String)?.count == 64)
    }

    @Test func showJSON() throws {
        guard let binary = requireConciergeBinary() else { return }
        let show = try runProcess(
            binary, ["registry", "show", "roomservice", "production", "--json", "--registry", models])
        #expect(show.status == 0, "\(show.stderr)")
        let details = try #require(
            try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any], "\(show.stdout)")
        #expect(details["version"] as? Int == 1)
        #expect(details["aliases"] as? [String] == ["production"])
        let manifest = try #require(details["manifest"] as? [String: Any])
        #expect((manifest["counts"] as? [String: Int])?["users"] ?? 0 > 0)
        #expect((manifest["files"] as? [String: Any])?["user_ids.txt"] != nil)
        let events = try #require(details["events"] as? [[String: Any]])
        #expect(events.map { $0["action"] as? String } == ["publish", "promote"])
    }
}
