import ConciergeJSON
import ConciergeModelFormat

/// Each item of a version as it appears in an answer's `items`, written once when the version loads so that an
/// answer only copies bytes: `,{"id":…,"name":…,"hotel":…,"department":…,"price":…,"score":` (the comma left out
/// for the first item), then the request's score and `}`. The score comes last so that an item is one copy.
struct ItemJSONFragments: Sendable {
    /// Item `i`'s fragment is fragment `i`.
    private let fragments: JSONFragments

    /// Scores are written to 7 significant digits, about a `Float`'s precision.
    static let scoreDigits = 7

    init(model: LoadedModel) {
        fragments = JSONFragments(count: model.itemCount, capacity: model.itemCount * 160) { item, writer in
            let metadata = model.item(item)
            writer.writeRaw(#",{"id":"#)
            writer.writeString(model.itemID(item))
            writer.writeRaw(#","name":"#)
            writer.writeString(metadata.name)
            writer.writeRaw(#","hotel":"#)
            writer.writeString(model.hotelID(metadata.hotel))
            writer.writeRaw(#","department":"#)
            writer.writeString(metadata.department)
            writer.writeRaw(#","price":"#)
            writer.writeNumber(metadata.price)
            writer.writeRaw(#","score":"#)
        }
    }

    /// Writes `item` with `score`, after a comma unless it is the `first` of a list; a score that is not finite
    /// (which JSON cannot spell) is written as 0.
    func write(item: Int, score: Float, first: Bool = true, to writer: inout JSONWriter) {
        fragments.write(item, dropping: first ? 1 : 0, to: &writer)
        writer.writeNumber(score.isFinite ? score : 0, significantDigits: Self.scoreDigits)
        writer.writeRaw("}")
    }

    /// Writes `[…]` of `count` items, best first: `entry(i)` is the i-th item and its score.
    func writeList(count: Int, to writer: inout JSONWriter, entry: (Int) -> (item: Int, score: Float)) {
        writer.writeRaw("[")
        for position in 0..<count {
            let (item, score) = entry(position)
            write(item: item, score: score, first: position == 0, to: &writer)
        }
        writer.writeRaw("]")
    }
}
