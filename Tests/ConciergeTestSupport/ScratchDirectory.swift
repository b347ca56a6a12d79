import Foundation

/// A fresh folder under the system temporary directory, removed when the last reference to it goes.
package final class ScratchDirectory: Sendable {
    package let path: String

    /// `name` starts the folder's name, to tell whose folder a leftover one was.
    package init(_ name: String = "concierge-test") {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
