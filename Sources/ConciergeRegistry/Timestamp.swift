import Foundation

/// Registry times are ISO 8601 in UTC to the second (`2025-11-24T14:17:03Z`): sortable as text in
/// SQLite and readable by any JSON consumer of the manifest.
enum Timestamp {
    static func now() -> String { Date.now.formatted(.iso8601) }

    static func date(_ text: String) -> Date {
        (try? Date(text, strategy: .iso8601)) ?? Date(timeIntervalSince1970: 0)
    }
}
