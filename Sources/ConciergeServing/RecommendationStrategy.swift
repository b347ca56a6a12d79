/// How a list was scored; the raw values are what the API reports.
public enum RecommendationStrategy: String, Sendable, Equatable, CaseIterable {
    /// Dot products of a known guest's factors with the hotel's item factors.
    case als
    /// Sums over the neighbours of what a known guest ordered, weighted by units.
    case itemItem = "item-item"
    /// A known guest's history times EASE's weights within their hotel.
    case ease
    /// A known guest's EASE and ALS scores, each divided by its standard deviation over the hotel, blended.
    case easeALS = "ease-als"
    /// An unknown guest's `recent` items stand in for a history: factors solved from them (ALS
    /// versions), their neighbours (item-item versions), or their rows of EASE's weights (EASE versions), or both
    /// blended (EASE-ALS versions).
    case foldIn = "fold-in"
    /// The hotel's most ordered items: the version's kind, or nothing personal to go on.
    case popular
}

extension RecommendationStrategy {
    /// The strategy's place in `allCases`, without a search: what is kept per strategy (an answer's text, a
    /// metric) is kept in that order.
    public var position: Int {
        switch self {
        case .als: 0
        case .itemItem: 1
        case .ease: 2
        case .easeALS: 3
        case .foldIn: 4
        case .popular: 5
        }
    }
}
