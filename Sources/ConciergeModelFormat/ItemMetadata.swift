/// What the CRM shows for a recommended item.
public struct ItemMetadata: Sendable, Equatable {
    public var name: String
    /// Index into the model's hotel ids; the item lies in that hotel's item range.
    public var hotel: Int
    public var department: String
    public var price: Double

    public init(name: String, hotel: Int, department: String, price: Double) {
        self.name = name
        self.hotel = hotel
        self.department = department
        self.price = price
    }
}
