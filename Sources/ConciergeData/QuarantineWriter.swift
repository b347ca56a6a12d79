import ConciergeJSON
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
        var json = JSONWriter(reservingCapacity: raw.count + file.utf8.count + 128)
        json.writeRaw(#"{"file":"#)
        json.writeString(file)
        json.writeRaw(#","line":"#)
        json.writeInteger(line)
        json.writeRaw(#","reason":"#)
        json.writeString(reason.code)
        json.writeRaw(#","field":"#)
        json.writeString(reason.field)
        json.writeRaw(#","order_seq":"#)
        if let orderSeq { json.writeInteger(orderSeq) } else { json.writeNull() }
        if let text = String(validating: raw, as: UTF8.self) {
            json.writeRaw(#","raw":"#)
            json.writeString(text)
        } else {
            json.writeRaw(#","raw_base64":"#)
            json.writeString(Data(raw).base64EncodedString())
        }
        json.writeRaw("}\n")
        try output.append(json.bytes)
    }

    /// Hands the rows of the current export file to the system before its transaction commits.
    func commitFile() throws(FileAccessError) {
        try output.flush()
    }

    /// Removes the rows added since `beginFile()`: their export file's transaction rolled back.
    func discardFile() throws(FileAccessError) {
        try output.truncate(to: fileStart)
    }
}
