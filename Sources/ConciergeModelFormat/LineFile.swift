import Glibc

/// A mapped UTF-8 text file with one entry per line, each ended by `\n`: the id maps, item names and
/// departments. Line `i` is entry `i`; the line starts are found once, and entries are decoded on demand.
struct LineFile: Sendable {
    let storage: MappedFile
    /// `count + 1` byte offsets: entry `i` spans `starts[i] ..< starts[i + 1] - 1` (without its `\n`).
    private let starts: [Int]

    init(storage: MappedFile, expectedCount: Int, entryName: String) throws(ModelFileError) {
        func fail(_ problem: String) -> ModelFileError { .invalidFile(path: storage.path, problem: problem) }
        let bytes = storage.bytes
        var starts = [0]
        starts.reserveCapacity(expectedCount + 1)
        if let base = bytes.baseAddress {
            guard bytes[bytes.count - 1] == 0x0A else { throw fail("the last line does not end with a newline") }
            var offset = 0
            while offset < bytes.count, let newline = memchr(base + offset, 0x0A, bytes.count - offset) {
                offset = base.distance(to: UnsafeRawPointer(newline)) + 1
                starts.append(offset)
            }
            do {
                _ = try UTF8Span(validating: bytes.assumingMemoryBound(to: UInt8.self).span)
            } catch {
                throw fail(
                    "line \(Self.line(containing: error.byteOffsets.lowerBound, starts: starts)) is not valid UTF-8")
            }
            if let carriageReturn = memchr(base, 0x0D, bytes.count) {
                let offset = base.distance(to: UnsafeRawPointer(carriageReturn))
                throw fail("line \(Self.line(containing: offset, starts: starts)) contains a carriage return")
            }
        }
        guard starts.count - 1 == expectedCount else {
            throw fail("has \(starts.count - 1) lines for \(expectedCount) \(entryName)")
        }
        self.storage = storage
        self.starts = starts
    }

    var count: Int { starts.count - 1 }

    func bytes(at index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage.bytes[starts[index]..<(starts[index + 1] - 1)])
    }

    subscript(index: Int) -> String { String(decoding: bytes(at: index), as: UTF8.self) }

    /// 1-based line number of a byte offset, for error messages.
    private static func line(containing offset: Int, starts: [Int]) -> Int {
        var low = 0
        var high = starts.count
        while high - low > 1 {
            let middle = (low + high) / 2
            if starts[middle] <= offset { low = middle } else { high = middle }
        }
        return low + 1
    }
}
