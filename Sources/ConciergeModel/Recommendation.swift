/// An item and its score in a ranked list.
public struct Recommendation: Sendable, Hashable {
    public var item: Int
    public var score: Float

    public init(item: Int, score: Float) {
        self.item = item
        self.score = score
    }
}
