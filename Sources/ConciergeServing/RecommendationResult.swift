/// The answer to a `RecommendationRequest`.
public struct RecommendationResult: Sendable, Equatable {
    public var strategy: RecommendationStrategy
    /// The hotel recommended from: the one asked for, or the guest's latest.
    public var hotel: String
    /// The request's user id, echoed even when the model does not know it.
    public var user: String?
    /// Best first; fewer than asked when fewer items are eligible.
    public var items: [RecommendedItem]
    /// `exclude` ids the model does not know.
    public var ignoredExclusions: Int
    /// `recent` ids that played no part: unknown to the model, of another hotel than the one
    /// recommended from, or all of them for a guest the model knows (their history is used instead).
    public var ignoredRecent: Int

    public init(
        strategy: RecommendationStrategy, hotel: String, user: String?, items: [RecommendedItem],
        ignoredExclusions: Int, ignoredRecent: Int
    ) {
        self.strategy = strategy
        self.hotel = hotel
        self.user = user
        self.items = items
        self.ignoredExclusions = ignoredExclusions
        self.ignoredRecent = ignoredRecent
    }
}
