import ConciergeSQLite

/// What the trainer learns from: the paid menu items, the guests, and who ordered how many units of what.
/// Ids are decimal strings of the export's integers (`hotel_seq`, `itemSeq`, `customer_seq`).
public struct TrainingData: Sendable {
    public struct Item: Sendable {
        public var id: String
        public var name: String
        public var hotel: String
        public var department: String
        /// Unit price in KRW, as last seen.
        public var price: Int

        public init(id: String, name: String, hotel: String, department: String, price: Int) {
            self.id = id
            self.name = name
            self.hotel = hotel
            self.department = department
            self.price = price
        }
    }

    public struct Guest: Sendable {
        public var id: String
        /// The hotel of the guest's latest order, of any status: where they are staying, or stayed last.
        public var latestHotel: String

        public init(id: String, latestHotel: String) {
            self.id = id
            self.latestHotel = latestHotel
        }
    }

    public struct Interaction: Sendable {
        /// Index into `guests`.
        public var guest: Int
        /// Index into `items`.
        public var item: Int
        public var units: Float
        /// `reg_date`, unix seconds.
        public var orderedAt: Int64

        public init(guest: Int, item: Int, units: Float, orderedAt: Int64) {
            self.guest = guest
            self.item = item
            self.units = units
            self.orderedAt = orderedAt
        }
    }

    /// Every item whose last seen price is above zero, sorted by (hotel, id) in `String` order, so each hotel's
    /// items are contiguous.
    public var items: [Item]
    /// Guests with at least one interaction, sorted by id in `String` order.
    public var guests: [Guest]
    /// One per order line of a COMPLETE order whose unit price is above zero, of an item in `items`, with
    /// `count - freeCount` above zero. Sorted by `orderedAt`, then `order_seq`, then position in the order.
    public var interactions: [Interaction]
    /// FNV-1a 64 over everything above, in hex: equal fingerprints, equal training data.
    public var fingerprint: String

    /// For callers that build training data of their own, such as the trainer's tests.
    public init(items: [Item], guests: [Guest], interactions: [Interaction], fingerprint: String) {
        self.items = items
        self.guests = guests
        self.interactions = interactions
        self.fingerprint = fingerprint
    }
}

extension FeatureStore {
    public func trainingData() throws -> TrainingData {
        // One read transaction, so the items and the order lines come from the same snapshot even while an
        // ingest commits. A read-only transaction has nothing to lose if its COMMIT fails.
        try database.execute("BEGIN")
        defer { try? database.execute("COMMIT") }
        let itemQuery = try database.prepare(
            """
            SELECT item_seq, item_name, hotel_seq, department_seq, price FROM items WHERE price > 0
            ORDER BY CAST(hotel_seq AS TEXT), CAST(item_seq AS TEXT)
            """)
        var items: [TrainingData.Item] = []
        var itemIndex: [Int: Int] = [:]
        while try itemQuery.step() {
            itemIndex[itemQuery.int(0)] = items.count
            items.append(
                TrainingData.Item(
                    id: String(itemQuery.int(0)), name: itemQuery.text(1), hotel: String(itemQuery.int(2)),
                    department: String(itemQuery.int(3)), price: itemQuery.int(4)))
        }

        let lineQuery = try database.prepare(
            """
            SELECT orders.customer_seq, guests.latest_hotel_seq, order_items.item_seq,
                order_items.count - order_items.free_count, orders.reg_date
            FROM order_items
            JOIN orders ON orders.order_seq = order_items.order_seq
            JOIN items ON items.item_seq = order_items.item_seq
            JOIN guests ON guests.customer_seq = orders.customer_seq
            WHERE orders.status = 'COMPLETE' AND order_items.price > 0 AND items.price > 0
                AND order_items.count > order_items.free_count
            ORDER BY orders.reg_date, orders.order_seq, order_items.position
            """)
        var lines: [(customerSeq: Int, item: Int, units: Int, orderedAt: Int)] = []
        var latestHotels: [Int: Int] = [:]
        while try lineQuery.step() {
            let customerSeq = lineQuery.int(0)
            latestHotels[customerSeq] = lineQuery.int(1)
            lines.append((customerSeq, itemIndex[lineQuery.int(2)]!, lineQuery.int(3), lineQuery.int(4)))
        }

        let sortedGuests = latestHotels.map { customerSeq, hotelSeq in
            (customerSeq, TrainingData.Guest(id: String(customerSeq), latestHotel: String(hotelSeq)))
        }.sorted { $0.1.id < $1.1.id }
        var guestIndex: [Int: Int] = [:]
        for (index, (customerSeq, _)) in sortedGuests.enumerated() { guestIndex[customerSeq] = index }
        let guests = sortedGuests.map(\.1)
        let interactions = lines.map {
            TrainingData.Interaction(
                guest: guestIndex[$0.customerSeq]!, item: $0.item, units: Float($0.units), orderedAt: Int64($0.orderedAt))
        }

        var digest = FNV1a64()
        for item in items {
            for text in [item.id, item.name, item.hotel, item.department] { digest.combine(text) }
            digest.combine(item.price)
        }
        for guest in guests {
            digest.combine(guest.id)
            digest.combine(guest.latestHotel)
        }
        for interaction in interactions {
            for value in [interaction.guest, interaction.item, Int(interaction.units), Int(interaction.orderedAt)] {
                digest.combine(value)
            }
        }
        return TrainingData(items: items, guests: guests, interactions: interactions, fingerprint: digest.hex)
    }
}
