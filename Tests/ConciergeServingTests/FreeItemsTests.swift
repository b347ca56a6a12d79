import ConciergeData
import ConciergeModelFormat
import ConciergeSQLite
import ConciergeServing
import ConciergeTestSupport
import Foundation
import Testing

/// A guest is never recommended an item they already ordered in a COMPLETE order, whether they paid for it or
/// got it free: export → store → training → version folder → serving, for every guest of a sample and every kind.
@Suite struct FreeItemsTests {
    /// The sample of the issue that found guests offered what they had been given free.
    static let sample = SampleExportGenerator.Configuration(guests: 3_000, seed: 11)

    @Test func noGuestIsRecommendedAnItemTheyOrderedFreeOrPaid() throws {
        let folder = ScratchDirectory("free-items")
        defer { withExtendedLifetime(folder) {} }
        let storePath = folder.path + "/store.sqlite"
        let trained = ServingFixture.train(Self.sample, storeAt: storePath)
        let store = try SQLiteDatabase(path: storePath, mode: .readOnly)
        let ordered = try Self.completeOrderItems(in: store)
        let latestHotels = try Self.latestHotels(in: store)
        let guestsWithFreeOnlyItems = try Self.guestsWithItemsOnlyEverFree(in: store)
        #expect(guestsWithFreeOnlyItems.count > 100, "the sample should give many guests items free")

        for kind in ModelKind.allCases {
            let recommender = ServingFixture.recommender(trained, as: kind)
            var served = 0
            var offeredAgain: [String] = []
            for (guest, items) in ordered.sorted(by: { $0.key < $1.key }) {
                // A guest the model does not know needs a hotel; the one of their latest order stands in.
                var request = RecommendationRequest(user: guest, count: 20)
                if recommender.model.userIndex(for: guest) == nil {
                    guard let hotel = latestHotels[guest], recommender.model.hotelIndex(for: hotel) != nil else {
                        continue
                    }
                    request.hotel = hotel
                }
                let result = try recommender.recommend(request)
                served += 1
                for item in result.items where items.contains(item.id) {
                    offeredAgain.append("guest \(guest) offered item \(item.id) (\(result.strategy.rawValue))")
                }
            }
            #expect(served > 2_000)
            let offeredAgainCount = offeredAgain.count
            #expect(offeredAgainCount == 0, "\(kind.rawValue): \(offeredAgain.prefix(5))")
        }
    }

    @Test(arguments: ModelKind.allCases)
    func aGuestWhoOnlyGotItemsFreeNeedsNoHotelAndIsNotOfferedThem(kind: ModelKind) throws {
        let recommender = ServingFixture.recommender(for: kind)
        let model = recommender.model
        let free = try #require(model.userFreeItems)
        let freeOnly = (0..<model.userCount).filter {
            model.userItems.rowRange($0).isEmpty && !free.rowRange($0).isEmpty
        }
        #expect(freeOnly.count > 5)
        for user in freeOnly {
            let result = try recommender.recommend(RecommendationRequest(user: model.userID(user), count: 100))
            #expect(result.hotel == model.hotelID(model.latestHotel(ofUser: user)))
            #expect(result.strategy == .popular)
            #expect(!result.items.isEmpty)
            #expect(Set(free.columnIndices(ofRow: user).map { Int($0) }).isDisjoint(with: result.items.map(\.index)))
        }
    }

    @Test func includeSeenOffersFreeItemsAgain() throws {
        let recommender = ServingFixture.als
        let model = recommender.model
        let free = try #require(model.userFreeItems)
        var checked = 0
        for user in 0..<model.userCount where !model.userItems.rowRange(user).isEmpty {
            let block = model.items(ofHotel: model.latestHotel(ofUser: user))
            let freeHere = Set(free.columnIndices(ofRow: user).map { Int($0) }.filter(block.contains))
            guard !freeHere.isEmpty, block.count <= 100 else { continue }
            let hidden = try recommender.recommend(RecommendationRequest(user: model.userID(user), count: 100))
            let shown = try recommender.recommend(
                RecommendationRequest(user: model.userID(user), count: 100, includeSeen: true))
            #expect(freeHere.isDisjoint(with: hidden.items.map(\.index)))
            #expect(freeHere.isSubset(of: shown.items.map(\.index)))
            checked += 1
        }
        #expect(checked > 10)
    }

    /// customer_seq → item_seq of every line of their COMPLETE orders, free or paid.
    static func completeOrderItems(in store: SQLiteDatabase) throws -> [String: Set<String>] {
        let query = try store.prepare(
            """
            SELECT DISTINCT orders.customer_seq, order_items.item_seq FROM orders
            JOIN order_items ON order_items.order_seq = orders.order_seq WHERE orders.status = 'COMPLETE'
            """)
        var items: [String: Set<String>] = [:]
        while try query.step() { items[String(query.int(0)), default: []].insert(String(query.int(1))) }
        return items
    }

    static func latestHotels(in store: SQLiteDatabase) throws -> [String: String] {
        let query = try store.prepare("SELECT customer_seq, latest_hotel_seq FROM guests")
        var hotels: [String: String] = [:]
        while try query.step() { hotels[String(query.int(0))] = String(query.int(1)) }
        return hotels
    }

    /// Guests with an item of a paid menu they only ever got free in COMPLETE orders.
    static func guestsWithItemsOnlyEverFree(in store: SQLiteDatabase) throws -> Set<String> {
        let query = try store.prepare(
            """
            SELECT orders.customer_seq FROM orders
            JOIN order_items ON order_items.order_seq = orders.order_seq
            JOIN items ON items.item_seq = order_items.item_seq
            WHERE orders.status = 'COMPLETE' AND items.price > 0
            GROUP BY orders.customer_seq, order_items.item_seq
            HAVING max(order_items.price > 0 AND order_items.count > order_items.free_count) = 0
            """)
        var guests: Set<String> = []
        while try query.step() { guests.insert(String(query.int(0))) }
        return guests
    }
}
