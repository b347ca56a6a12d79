/// What a CRM asks: recommendations for one guest, by external ids, with the rules that filter them.
public struct RecommendationRequest: Sendable, Equatable {
    /// The guest's id (`customer_seq`); nil or unknown to the model means a cold start.
    public var user: String?
    /// How many items to return, 1...100.
    public var count: Int
    /// The hotel whose menu to recommend from; nil means the hotel of the guest's latest orders.
    public var hotel: String?
    /// Item ids never to return.
    public var exclude: [String]
    /// Items the guest just looked at or ordered, for a guest the model does not know (fold-in).
    public var recent: [String]
    /// Whether items the guest already ordered may be returned.
    public var includeSeen: Bool
    /// Only items of these departments, when given.
    public var departments: [String]?

    public init(
        user: String?, count: Int = 10, hotel: String? = nil, exclude: [String] = [], recent: [String] = [],
        includeSeen: Bool = false, departments: [String]? = nil
    ) {
        self.user = user
        self.count = count
        self.hotel = hotel
        self.exclude = exclude
        self.recent = recent
        self.includeSeen = includeSeen
        self.departments = departments
    }

    public static let countRange = 1...100
}
