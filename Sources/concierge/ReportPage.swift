import ConciergeData
import ConciergeRegistry
import ConciergeReport

/// The page of a version, for `registry report` and `train --report`.
enum ReportPage {
    static func write(registry: ModelRegistry, model: String, versionOrAlias: String, to path: String) throws {
        let report = try TrainingReport(registry: registry, model: model, versionOrAlias: versionOrAlias)
        let file = try OutputFile(path: path, mode: .truncate, permissions: 0o644)
        try file.append(report.html.utf8)
        try file.flush()
        print("wrote the page of \(model) version \(report.version) to \(path)")
    }
}
