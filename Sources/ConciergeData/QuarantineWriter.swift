import Foundation

/// Appends rejected rows to a JSON Lines file, one object per row:
///
///     {"file":"/data/week-12.csv","line":88,"reason":"bad_integer","field":"order_price","order_seq":5012,"raw":"…"}
///
/// `field` and `order_seq` are null when there is none (or `order_seq` is unreadable). `raw` is the row exactly
/// as it stood in the file, line breaks inside quotes included, without the line break that ends it; a row that
/// is not valid UTF-8 has `raw_base64` instead, so that nothing is lost either way. The raw row holds the guest's
/// name, so the file is created readable by its owner alone.
final class QuarantineWriter {
    let path: String
    private let output: OutputFile
    private var fileStart = 0

    init(path: String) throws(FileAccessError) {
        self.path = path
        output = try OutputFile(path: path, mode: .append, permissions: 0o600)
    }

    /// Marks where the rows of the next export file begin, for `discardFile()`.
    func beginFile() throws(FileAccessError) {
        try output.flush()
        fileStart = try output.length()
    }

    func add(file: String, line: Int, reason: RejectionReason, orderSeq: Int?, raw: [UInt8]) throws(FileAccessError) {
        var json: [UInt8] = []
        json.reserveCapacity(raw.count + file.utf8.count + 128)
        json.append(contentsOf: #"{"file":"#.utf8)
        Self.appendString(file.utf8, to: &json)
        json.append(contentsOf: #","line":\#(line),"reason":"#.utf8)
        Self.appendString(reason.code.utf8, to: &json)
        json.append(contentsOf: #","field":"#.utf8)
        if let field = reason.field {
            Self.appendString(field.utf8, to: &json)
        } else {
            json.append(contentsOf: "null".utf8)
        }
        json.append(contentsOf: #","order_seq":"#.utf8)
        json.append(contentsOf: (orderSeq.map(String.init) ?? "null").utf8)
        if String(validating: raw, as: UTF8.self) != nil {
            json.append(contentsOf: #","raw":"#.utf8)
            Self.appendString(raw, to: &json)
        } else {
            json.append(contentsOf: #","raw_base64":""#.utf8)
            json.append(contentsOf: Data(raw).base64EncodedString().utf8)
            json.append(UInt8(ascii: "\""))
        }
        json.append(contentsOf: "}\n".utf8)
        try output.append(json)
    }

    /// Hands the rows of the current export file to the system before its transaction commits.
    func commitFile() throws(FileAccessError) {
        try output.flush()
    }

    /// Removes the rows added since `beginFile()`: their export file's transaction rolled back.
    func discardFile() throws(FileAccessError) {
        try output.truncate(to: fileStart)
    }

    /// A JSON string of valid UTF-8 `bytes`: quotes, backslashes and control characters escaped, the rest verbatim.
    private static func appendString(_ bytes: some Sequence<UInt8>, to json: inout [UInt8]) {
        let hexDigits = Array("0123456789abcdef".utf8)
        json.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                json.append(UInt8(ascii: "\\"))
                json.append(byte)
            case UInt8(ascii: "\n"): json.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): json.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): json.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                json.append(contentsOf: #"\u00"#.utf8)
                json.append(hexDigits[Int(byte >> 4)])
                json.append(hexDigits[Int(byte & 0xF)])
            default: json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }
}
