/// Client-supplied text made safe for a log line: a decoded path may hold a CR LF that would start a
/// forged line, or a terminal escape. Control characters (C0, DEL, C1) and the backslash become `\xNN`, one
/// per UTF-8 byte, so what was escaped stays unambiguous and the line stays one line.
enum LogText {
    /// `text` itself, without a copy, when it has nothing to escape.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            for byte in String(scalar).utf8 {
                result += "\\x"
                result.unicodeScalars.append(hexDigits[Int(byte >> 4)])
                result.unicodeScalars.append(hexDigits[Int(byte & 0xF)])
            }
        }
        return result
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\\"
    }

    private static let hexDigits = Array("0123456789abcdef".unicodeScalars)
}
