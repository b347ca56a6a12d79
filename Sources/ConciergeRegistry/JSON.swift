import Foundation

/// Compact, key-sorted JSON for the database's JSON columns.
enum JSON {
    static func text(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Only the registry's own value types go through here, and they always encode.
        guard let data = try? encoder.encode(value) else { preconditionFailure("registry values always encode") }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
