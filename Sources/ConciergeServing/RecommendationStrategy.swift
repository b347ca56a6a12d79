/// How a list was scored; the raw values are what the API reports.
public enum RecommendationStrategy: String, Sendable, Equatable, CaseIterable {
    /// Dot products of a known guest's factors with the hotel's item factors.
    case als
    /// Sums over the neighbours of what a known guest ordered, weighted by units.
    case itemItem = "item-item"
    /// An unknown guest's `recent` items stand in for a history: factors solved from them (ALS
    /// versions) or their neighbours (item-item versions).
    case foldIn = "fold-in"
    /// The hotel's most ordered items: the version's kind, or nothing personal to go on.
    case popular
}
