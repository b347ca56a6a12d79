/// The neighbours of one item within its hotel, most similar first.
public struct SimilarItemsResult: Sendable, Equatable {
    public var item: String
    public var hotel: String
    /// Scores are the stored similarities.
    public var items: [RecommendedItem]

    public init(item: String, hotel: String, items: [RecommendedItem]) {
        self.item = item
        self.hotel = hotel
        self.items = items
    }
}
