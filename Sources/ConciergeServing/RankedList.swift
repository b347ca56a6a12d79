public import ConciergeModel

/// The answer to a `RecommendationRequest` by index, before anything is named: what `Recommender.recommend`
/// names, and all an answer needs whose item text was written beforehand.
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
}
