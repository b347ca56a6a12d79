import ConciergeJSON
import ConciergeModelFormat

/// Each item of a version as it appears in an answer's `items`, written once when the version loads so that an
/// answer only copies bytes: `{"id":…,"name":…,"score":` before the request's score and
/// `,"hotel":…,"department":…,"price":…}` after it.
struct ItemJSONFragments: Sendable {
    /// Every item's two fragments, one item after another.
    private let bytes: [UInt8]
    /// `itemCount + 1` offsets into `bytes`: item `i`'s fragments span `starts[i] ..< starts[i + 1]`.
    private let starts: [Int]
    /// Where item `i`'s score goes: the end of its first fragment.
    private let scoreOffsets: [Int]

    init(model: LoadedModel) {
        var writer = JSONWriter(reservingCapacity: model.itemCount * 128)
        var starts = [0]
        var scoreOffsets: [Int] = []
        starts.reserveCapacity(model.itemCount + 1)
        scoreOffsets.reserveCapacity(model.itemCount)
        for item in 0..<model.itemCount {
            let metadata = model.item(item)
            writer.writeRaw(#"{"id":"#)
            writer.writeString(model.itemID(item))
            writer.writeRaw(#","name":"#)
            writer.writeString(metadata.name)
            writer.writeRaw(#","score":"#)
            scoreOffsets.append(writer.bytes.count)
            writer.writeRaw(#","hotel":"#)
            writer.writeString(model.hotelID(metadata.hotel))
            writer.writeRaw(#","department":"#)
            writer.writeString(metadata.department)
            writer.writeRaw(#","price":"#)
            writer.writeNumber(metadata.price)
            writer.writeRaw("}")
            starts.append(writer.bytes.count)
        }
        bytes = writer.bytes
        self.starts = starts
        self.scoreOffsets = scoreOffsets
    }

    /// Writes `item` with `score`; a score that is not finite (which JSON cannot spell) is written as 0.
    func write(item: Int, score: Float, to writer: inout JSONWriter) {
        writer.writeRaw(bytes[starts[item]..<scoreOffsets[item]])
        writer.writeNumber(score.isFinite ? score : 0)
        writer.writeRaw(bytes[scoreOffsets[item]..<starts[item + 1]])
    }

    /// Writes `[…]` of `items`, best first, with their scores.
    func writeList(_ items: some Sequence<(item: Int, score: Float)>, to writer: inout JSONWriter) {
        writer.writeRaw("[")
        for (position, entry) in items.enumerated() {
            if position > 0 { writer.writeRaw(",") }
            write(item: entry.item, score: entry.score, to: &writer)
        }
        writer.writeRaw("]")
    }
}
