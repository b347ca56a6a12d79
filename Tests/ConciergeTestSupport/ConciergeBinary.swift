import Foundation
package import Testing

/// The `concierge` executable: `CONCIERGE_BIN`, else next to the test bundle (`swift test` builds both).
package func conciergeBinary() -> String? {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment["CONCIERGE_BIN"], !path.isEmpty {
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }
    var directories: [URL] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        directories.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
    }
    var bundle = Bundle.main.bundleURL
    directories.append(bundle)
    while bundle.path != "/" {
        if bundle.pathExtension == "xctest" { directories.append(bundle.deletingLastPathComponent()) }
        bundle = bundle.deletingLastPathComponent()
    }
    for directory in directories {
        let candidate = directory.appendingPathComponent("concierge").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// `conciergeBinary()`, recording a clear issue when it is missing.
package func requireConciergeBinary(sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    guard let path = conciergeBinary() else {
        Issue.record(
            "the concierge executable was not found next to the test bundle; run `swift build` first or set CONCIERGE_BIN",
            sourceLocation: sourceLocation)
        return nil
    }
    return path
}
