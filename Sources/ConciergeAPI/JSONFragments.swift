import ConciergeJSON

/// Pieces of JSON written once, when a version loads, and copied into answers: all in one byte array, fragment `i`
/// at `starts[i] ..< starts[i + 1]`.
struct JSONFragments: Sendable {
    private let bytes: [UInt8]
    private let starts: [Int]

    /// `count` fragments, fragment `i` as `write(i, &writer)` writes it; `capacity` is about their total length.
    init(count: Int, capacity: Int, write: (Int, inout JSONWriter) -> Void) {
        var writer = JSONWriter(reservingCapacity: capacity)
        var starts = [0]
        starts.reserveCapacity(count + 1)
        for fragment in 0..<count {
            write(fragment, &writer)
            starts.append(writer.count)
        }
        bytes = writer.bytes
        self.starts = starts
    }

    /// Writes fragment `fragment` without its first `dropping` bytes.
    func write(_ fragment: Int, dropping: Int = 0, to writer: inout JSONWriter) {
        let range = (starts[fragment] + dropping)..<starts[fragment + 1]
        bytes.withUnsafeBufferPointer { writer.writeRaw(UnsafeBufferPointer(rebasing: $0[range])) }
    }
}
