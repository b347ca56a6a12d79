public import ConciergeModel

/// The answer to a `RecommendationRequest` by index, before anything is named: what `Recommender.recommend`
/// names. (An answer whose item text was written beforehand needs only the `BorrowedRankedList` it is copied
/// from.)
public struct RankedList: Sendable, Equatable {
    public var strategy: RecommendationStrategy
    /// The hotel recommended from, by index: the one asked for, or the guest's latest.
    public var hotel: Int
    /// Best first; fewer than asked when fewer items are eligible.
    public var items: [Recommendation]
    /// As in `RecommendationResult`.
    public var ignoredExclusions: Int
    /// As in `RecommendationResult`.
    public var ignoredRecent: Int

    /// The list with its items copied out of the buffers they were ranked into.
    init(_ borrowed: BorrowedRankedList) {
        strategy = borrowed.strategy
        hotel = borrowed.hotel
        items = zip(borrowed.items, borrowed.scores).map { Recommendation(item: Int($0), score: $1) }
        ignoredExclusions = borrowed.ignoredExclusions
        ignoredRecent = borrowed.ignoredRecent
    }
}
