/// A `RankedList` lent to a closure: the items stay in the buffers they were ranked into, valid for the call,
/// so that an answer can be written from them without copying them into an array.
public struct BorrowedRankedList {
    public var strategy: RecommendationStrategy
    /// The hotel recommended from, by index.
    public var hotel: Int
    /// Item indices, best first; fewer than asked when fewer items are eligible.
    public var items: UnsafeBufferPointer<Int32>
    /// `scores[i]` is the score of `items[i]`.
    public var scores: UnsafeBufferPointer<Float>
    /// As in `RecommendationResult`.
    public var ignoredExclusions: Int
    /// As in `RecommendationResult`.
    public var ignoredRecent: Int
}
