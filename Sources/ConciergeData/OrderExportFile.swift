import ConciergeSystem
import Foundation

/// Reads an order export through a fixed buffer: checks its header, hands over its data records, and digests
/// its bytes, in one pass.
enum OrderExportFile {
    static let chunkSize = 1 << 20
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    struct Summary {
        var digest: FNV1a64
        var bytes: Int
    }

    /// Opens the file and checks its header, reading no further than the chunk the header ends in.
    static func checkHeader(at path: String) throws {
        _ = try scan(at: path, headerOnly: true) { _ in }
    }

    /// Calls `body` with every record after the header, and `afterEachChunk` with the bytes read so far and the
    /// file's size once the records of each chunk, and of the end of the file, are handled.
    static func readRecords(
        at path: String, _ body: (CSVRecord) throws -> Void, afterEachChunk: (_ bytesRead: Int, _ fileSize: Int) -> Void
    ) throws -> Summary {
        try scan(at: path, headerOnly: false, body, afterEachChunk: afterEachChunk)
    }

    private static func scan(
        at path: String, headerOnly: Bool, _ body: (CSVRecord) throws -> Void,
        afterEachChunk: (_ bytesRead: Int, _ fileSize: Int) -> Void = { _, _ in }
    ) throws -> Summary {
        let descriptor = try FileAccessError.systemCall(on: path, "open") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { SystemCall.close(descriptor) }
        var status = stat()
        _ = try FileAccessError.systemCall(on: path, "read") { fstat(descriptor, &status) }
        let fileSize = Int(status.st_size)
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var reader = CSVReader()
        var digest = FNV1a64()
        var total = 0
        var headerChecked = false
        func handle(_ record: CSVRecord) throws {
            if headerChecked {
                if !headerOnly { try body(record) }
            } else {
                try check(header: record, path: path)
                headerChecked = true
            }
        }
        while !(headerOnly && headerChecked) {
            let count = try FileAccessError.systemCall(on: path, "read") {
                buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            }
            if count == 0 {
                try reader.finish(handle)
                afterEachChunk(total, fileSize)
                break
            }
            total += count
            try buffer.withUnsafeBufferPointer { whole in
                let chunk = UnsafeBufferPointer(rebasing: whole[0..<count])
                digest.combine(chunk)
                try reader.read(chunk, handle)
            }
            afterEachChunk(total, fileSize)
        }
        guard headerChecked else { throw ExportHeaderError(path: path, problem: "the file is empty") }
        return Summary(digest: digest, bytes: total)
    }

    private static func check(header record: CSVRecord, path: String) throws(ExportHeaderError) {
        let expected = OrderExportColumn.allCases
        let expectedList = expected.map(\.rawValue).joined(separator: ",")
        guard record.quoting == .wellFormed, record.fieldCount == expected.count else {
            throw ExportHeaderError(
                path: path,
                problem:
                    "line 1 has \(record.fieldCount) fields where the header has \(expected.count): \(expectedList)")
        }
        for (index, column) in expected.enumerated() {
            var name = record.field(index)
            if index == 0 && name.starts(with: byteOrderMark) { name = name.dropFirst(byteOrderMark.count) }
            guard name.elementsEqual(column.rawValue.utf8) else {
                throw ExportHeaderError(
                    path: path,
                    problem: "column \(index + 1) of line 1 is not \(column.rawValue); the header is \(expectedList)")
            }
        }
    }
}
