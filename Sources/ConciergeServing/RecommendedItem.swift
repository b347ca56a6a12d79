/// One recommended item with what the CRM shows for it.
public struct RecommendedItem: Sendable, Equatable {
    /// The item's index in the model version (stable within a version only).
    public var index: Int
    public var id: String
    /// Comparable only within one list: a dot product, a neighbour sum or a popularity count.
    public var score: Float
    public var name: String
    public var hotel: String
    public var department: String
    public var price: Double

    public init(
        index: Int, id: String, score: Float, name: String, hotel: String, department: String, price: Double
    ) {
        self.index = index
        self.id = id
        self.score = score
        self.name = name
        self.hotel = hotel
        self.department = department
        self.price = price
    }
}
