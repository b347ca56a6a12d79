import ConciergeSQLite

/// What the trainer learns from: the paid menu items, the guests, and who ordered how many units of what.
/// Beside it, what guests got free: not learnt from, but ordered all the same, so never recommended back to them.
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
    /// Guests without interactions who got an item of `items` free in a COMPLETE order, sorted by id in `String`
    /// order. Their free items are all the history they have.
    public var freeOnlyGuests: [Guest]
    /// The other lines of COMPLETE orders of items in `items` — every unit free, or a unit price of zero — whose
    /// guest never paid for that item, with all their units. `guest` indexes `guests` followed by
    /// `freeOnlyGuests`. Sorted as `interactions`.
    public var freeInteractions: [Interaction]
    /// FNV-1a 64 over everything above, in hex: equal fingerprints, equal training data.
    public var fingerprint: String
    /// Rows the store's ingests quarantined, for the record: not training data, so not in `fingerprint`. Nil
    /// when the data did not come from a feature store.
    public var quarantinedRows: Int?

    /// For callers that build training data of their own, such as the trainer's tests.
    public init(
        items: [Item], guests: [Guest], interactions: [Interaction], freeOnlyGuests: [Guest] = [],
        freeInteractions: [Interaction] = [], fingerprint: String, quarantinedRows: Int? = nil
    ) {
        self.items = items
        self.guests = guests
        self.interactions = interactions
        self.freeOnlyGuests = freeOnlyGuests
        self.freeInteractions = freeInteractions
        self.fingerprint = fingerprint
        self.quarantinedRows = quarantinedRows
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

        // Paid and free lines come from one query, in time order, so both lists are sorted alike.
        let lineQuery = try database.prepare(
            """
            SELECT orders.customer_seq, guests.latest_hotel_seq, order_items.item_seq,
                order_items.price > 0 AND order_items.count > order_items.free_count AS paid,
                order_items.count, order_items.free_count, orders.reg_date
            FROM order_items
            JOIN orders ON orders.order_seq = order_items.order_seq
            JOIN items ON items.item_seq = order_items.item_seq
            JOIN guests ON guests.customer_seq = orders.customer_seq
            WHERE orders.status = 'COMPLETE' AND items.price > 0
            ORDER BY orders.reg_date, orders.order_seq, order_items.position
            """)
        typealias Line = (customerSeq: Int, item: Int, units: Int, orderedAt: Int)
        var paidLines: [Line] = []
        var freeLines: [Line] = []
        var latestHotels: [Int: Int] = [:]
        while try lineQuery.step() {
            let customerSeq = lineQuery.int(0)
            latestHotels[customerSeq] = lineQuery.int(1)
            let item = itemIndex[lineQuery.int(2)]!
            if lineQuery.int(3) != 0 {
                paidLines.append((customerSeq, item, lineQuery.int(4) - lineQuery.int(5), lineQuery.int(6)))
            } else {
                freeLines.append((customerSeq, item, lineQuery.int(4), lineQuery.int(6)))
            }
        }
        let paidGuestItems = Set(paidLines.map { SIMD2($0.customerSeq, $0.item) })
        freeLines.removeAll { paidGuestItems.contains(SIMD2($0.customerSeq, $0.item)) }

        func sortedGuests(_ customerSeqs: Set<Int>) -> [(customerSeq: Int, guest: TrainingData.Guest)] {
            customerSeqs.map { customerSeq in
                (
                    customerSeq,
                    TrainingData.Guest(id: String(customerSeq), latestHotel: String(latestHotels[customerSeq]!))
                )
            }.sorted { $0.guest.id < $1.guest.id }
        }
        let paying = sortedGuests(Set(paidLines.map(\.customerSeq)))
        let freeOnly = sortedGuests(Set(freeLines.map(\.customerSeq)).subtracting(paidLines.map(\.customerSeq)))
        var guestIndex: [Int: Int] = [:]
        for (index, entry) in (paying + freeOnly).enumerated() { guestIndex[entry.customerSeq] = index }
        func interactions(_ lines: [Line]) -> [TrainingData.Interaction] {
            lines.map {
                TrainingData.Interaction(
                    guest: guestIndex[$0.customerSeq]!, item: $0.item, units: Float($0.units),
                    orderedAt: Int64($0.orderedAt))
            }
        }
        let guests = paying.map(\.guest)
        let freeOnlyGuests = freeOnly.map(\.guest)
        let paidInteractions = interactions(paidLines)
        let freeInteractions = interactions(freeLines)

        var digest = FNV1a64()
        for item in items {
            for text in [item.id, item.name, item.hotel, item.department] { digest.combine(text) }
            digest.combine(item.price)
        }
        for guest in guests + freeOnlyGuests {
            digest.combine(guest.id)
            digest.combine(guest.latestHotel)
        }
        for interaction in paidInteractions + freeInteractions {
            for value in [interaction.guest, interaction.item, Int(interaction.units), Int(interaction.orderedAt)] {
                digest.combine(value)
            }
        }
        // Where each concatenation above splits, so that a line or a guest moving between paid and free counts.
        digest.combine(guests.count)
        digest.combine(paidInteractions.count)
        let quarantineQuery = try database.prepare("SELECT COALESCE(SUM(quarantined), 0) FROM ingested_files")
        _ = try quarantineQuery.step()
        return TrainingData(
            items: items, guests: guests, interactions: paidInteractions, freeOnlyGuests: freeOnlyGuests,
            freeInteractions: freeInteractions, fingerprint: digest.hex, quarantinedRows: quarantineQuery.int(0))
    }
}
