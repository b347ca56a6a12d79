/// Text and attribute values as HTML needs them: everything the page shows comes from a manifest, which an import
/// may have written, so none of it is trusted to be markup.
enum HTML {
    /// Escapes the five characters that could end a text run or a quoted attribute value.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// ` name="value"` pairs, values escaped, in the order given.
    static func attributes(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { " \($0.name)=\"\(escape($0.value))\"" }.joined()
    }
}
