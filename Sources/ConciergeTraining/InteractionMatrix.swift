public import ConciergeData
public import ConciergeModel

/// The guest × item matrix training works on, with the hotel blocks that keep every
/// recommendation inside one hotel's menu.
public struct InteractionMatrix: Sendable {
    /// Guests × items; a cell is the units the guest ordered of the item, summed over orders.
    public let userItems: SparseMatrix
    public let hotelIDs: [String]
    /// One contiguous range of item indices per hotel, in `hotelIDs` order.
    public let hotelItemRanges: [Range<Int>]
    /// Each guest's hotel (an index into `hotelIDs`): where their latest order was placed.
    public let userHotel: [Int]

    public init(_ data: TrainingData) {
        var hotelIDs: [String] = []
        var ranges: [Range<Int>] = []
        for (index, item) in data.items.enumerated() {
            if hotelIDs.last != item.hotel {
                hotelIDs.append(item.hotel)
                ranges.append(index..<index)
            }
            ranges[ranges.count - 1] = ranges[ranges.count - 1].lowerBound..<(index + 1)
        }
        let hotelIndex = Dictionary(uniqueKeysWithValues: hotelIDs.enumerated().map { ($1, $0) })

        // Interactions are in time order, so the last one seen per guest is their latest paid order.
        var lastOrderedHotel = [Int](repeating: 0, count: data.guests.count)
        for interaction in data.interactions {
            lastOrderedHotel[interaction.guest] = hotelIndex[data.items[interaction.item].hotel] ?? 0
        }
        // A guest whose latest order was at a hotel without paid items keeps the hotel they last ordered from.
        userHotel = data.guests.enumerated().map { guest, record in
            hotelIndex[record.latestHotel] ?? lastOrderedHotel[guest]
        }
        userItems = SparseMatrix(
            rows: data.guests.count, columns: data.items.count,
            entries: data.interactions.map { .init(row: $0.guest, column: $0.item, value: $0.units) })
        self.hotelIDs = hotelIDs
        hotelItemRanges = ranges
    }

    public var users: Int { userItems.rows }
    public var items: Int { userItems.columns }

    /// The items a guest may be offered: their hotel's menu.
    public func candidates(forUser user: Int) -> Range<Int> { hotelItemRanges[userHotel[user]] }
}
