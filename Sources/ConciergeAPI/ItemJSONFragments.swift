import ConciergeJSON
import ConciergeModelFormat

/// Each item of a version as it appears in an answer's `items`, written once when the version loads so that an
/// answer only copies bytes: `},{"id":…,"name":…,"hotel":…,"department":…,"price":…,"score":`, then the request's
/// score. The score comes last so that an item is one copy, and the item before it is closed by the same copy
/// (the first item leaves out `},`; the list ends with `}]`).
struct ItemJSONFragments: Sendable {
    /// Item `i`'s fragment is fragment `i`.
    private let fragments: JSONFragments

    /// Scores are written to 7 significant digits, about a `Float`'s precision.
    static let scoreDigits = 7

    init(model: LoadedModel) {
        fragments = JSONFragments(count: model.itemCount, capacity: model.itemCount * 160) { item, writer in
            let metadata = model.item(item)
            writer.writeRaw(#"},{"id":"#)
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

    /// Writes `[…]` of `count` items, best first: `entry(i)` is the i-th item and its score. A score that is not
    /// finite (which JSON cannot spell) is written as 0.
    func writeList(count: Int, to writer: inout JSONWriter, entry: (Int) -> (item: Int, score: Float)) {
        writer.writeRaw("[")
        for position in 0..<count {
            let (item, score) = entry(position)
            fragments.write(item, dropping: position == 0 ? 2 : 0, to: &writer)
            writer.writeNumber(score.isFinite ? score : 0, significantDigits: Self.scoreDigits)
        }
        writer.writeRaw(count > 0 ? "}]" : "]")
    }
}
