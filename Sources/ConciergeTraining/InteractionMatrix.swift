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
    /// The hotel of each guest who only got free items (`TrainingData.freeOnlyGuests`), as `userHotel`. They
    /// are no rows of `userItems`, so training is the same with or without them.
    public let freeOnlyUserHotel: [Int]
    /// (Guests + free-only guests) × items: the units each guest got free of items they never paid for. Not
    /// learnt from, but excluded from the guest's recommendations like what they paid for.
    public let freeUserItems: SparseMatrix

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

        let allGuests = data.guests + data.freeOnlyGuests
        // Lines are in time order, so the last one seen per guest is their latest order: a paid one for guests
        // who paid (their free ones change nothing training sees), a free one for the others.
        var lastOrderedHotel = [Int](repeating: 0, count: allGuests.count)
        let freeOnlyLines = data.freeInteractions.filter { $0.guest >= data.guests.count }
        for interaction in data.interactions + freeOnlyLines {
            lastOrderedHotel[interaction.guest] = hotelIndex[data.items[interaction.item].hotel] ?? 0
        }
        // A guest whose latest order was at a hotel without paid items keeps the hotel they last ordered from.
        let hotels = allGuests.enumerated().map { guest, record in
            hotelIndex[record.latestHotel] ?? lastOrderedHotel[guest]
        }
        userHotel = Array(hotels[..<data.guests.count])
        freeOnlyUserHotel = Array(hotels[data.guests.count...])
        userItems = SparseMatrix(
            rows: data.guests.count, columns: data.items.count,
            entries: data.interactions.map { .init(row: $0.guest, column: $0.item, value: $0.units) })
        freeUserItems = SparseMatrix(
            rows: allGuests.count, columns: data.items.count,
            entries: data.freeInteractions.map { .init(row: $0.guest, column: $0.item, value: $0.units) })
        self.hotelIDs = hotelIDs
        hotelItemRanges = ranges
    }

    public var users: Int { userItems.rows }
    public var items: Int { userItems.columns }
}
