import Testing

@testable import ConciergeData

@Suite struct TrainingDataTests {
    static func line(
        _ item: Int, name: String, department: Int = 11, price: Int, count: Int = 1, free: Int? = nil
    ) -> String {
        let freeCount = free.map { #", "freeCount": \#($0)"# } ?? ""
        return
            #"{"itemSeq": \#(item), "count": \#(count), "itemName": "\#(name)", "departmentSeq": \#(department), "price": \#(price)\#(freeCount)}"#
    }

    static func order(
        _ orderSeq: Int, hotel: Int, guest: Int, status: String = "COMPLETE", day: Int, _ lines: [String]
    ) -> ExportRow {
        ExportRow(
            orderSeq: orderSeq, hotel: hotel, customer: guest, status: status,
            contents: "[" + lines.joined(separator: ", ") + "]",
            regDate: "2024-03-1\(day) 12:00:00")
    }

    @Test func onlyCompletePaidUnitsOfPaidItemsSortedAsPromised() throws {
        let directory = TemporaryDirectory()
        let rows = [
            Self.order(
                1, hotel: 2, guest: 9, day: 1,
                [
                    Self.line(201, name: "라면", price: 9000, count: 3, free: 1),
                    Self.line(202, name: "수건", department: 14, price: 0, count: 2),
                    Self.line(203, name: "생수", price: 1000, count: 1, free: 1),
                ]),
            Self.order(2, hotel: 10, guest: 10, day: 2, [Self.line(1001, name: "와인", department: 102, price: 50000)]),
            Self.order(3, hotel: 2, guest: 9, status: "CANCEL", day: 3, [Self.line(204, name: "피자", price: 20000)]),
            Self.order(
                4, hotel: 10, guest: 77, status: "WAIT", day: 3,
                [Self.line(1002, name: "맥주", department: 102, price: 8000)]),
            // The guest moves to hotel 10; the water is free from now on, and no longer a paid item.
            Self.order(
                5, hotel: 10, guest: 9, status: "CHECK", day: 4,
                [Self.line(1001, name: "와인", department: 102, price: 50000)]),
            Self.order(
                6, hotel: 2, guest: 10, day: 4,
                [Self.line(203, name: "생수", price: 0), Self.line(201, name: "라면", price: 9500)]),
            Self.order(7, hotel: 2, guest: 9, day: 0, [Self.line(203, name: "생수", price: 1000, count: 2)]),
        ]
        let export = directory.write("week.csv", ExportRow.file(rows))
        let store = try FeatureStore(path: directory.path("store.sqlite"))
        let report = try #require(try store.ingest(exportsAt: [export], quarantineAt: directory.path("q.jsonl")).first)
        #expect(report.accepted == rows.count)

        let data = try store.trainingData()
        // Hotel "10" sorts before "2"; items of the CANCEL and WAIT orders are on the menu all the same.
        #expect(data.items.map(\.id) == ["1001", "1002", "201", "204"])
        #expect(data.items.map(\.hotel) == ["10", "10", "2", "2"])
        #expect(data.items.map(\.price) == [50000, 8000, 9500, 20000])
        #expect(data.items[0].name == "와인" && data.items[0].department == "102")
        #expect(data.guests.map(\.id) == ["10", "9"])
        #expect(data.guests.map(\.latestHotel) == ["2", "10"])
        // By time: order 1 (day 1, 3 − 1 free units of 201), 2 (day 2), 6 (day 4, the 9,500 ramen).
        #expect(data.interactions.map(\.guest) == [1, 0, 0])
        #expect(data.interactions.map(\.item) == [2, 0, 2])
        #expect(data.interactions.map(\.units) == [2, 1, 1])
        #expect(data.interactions.map(\.orderedAt) == data.interactions.map(\.orderedAt).sorted())
        #expect(data.fingerprint.count == 16)
        #expect(try store.trainingData().fingerprint == data.fingerprint)

        let more = directory.write(
            "week2.csv",
            ExportRow.file([Self.order(8, hotel: 2, guest: 9, day: 5, [Self.line(204, name: "피자", price: 20000)])]))
        _ = try store.ingest(exportsAt: [more], quarantineAt: directory.path("q.jsonl"))
        #expect(try store.trainingData().fingerprint != data.fingerprint)
    }

    @Test func freeLinesAreKeptApartFromWhatTrainingLearns() throws {
        let directory = TemporaryDirectory()
        let rows = [
            // Guest 5 pays for the ramen and gets two waters free; the CANCEL order's free pizza does not count.
            Self.order(
                1, hotel: 2, guest: 5, day: 1,
                [
                    Self.line(201, name: "라면", price: 9000),
                    Self.line(202, name: "생수", price: 3000, count: 2, free: 2),
                ]),
            Self.order(
                2, hotel: 2, guest: 5, status: "CANCEL", day: 2, [Self.line(203, name: "피자", price: 5000, free: 1)]),
            // Guests 6 and 7 only ever got items free: by freeCount, and at a unit price of 0 (the ramen was
            // free that day, its menu price stays 9,000).
            Self.order(3, hotel: 2, guest: 6, day: 2, [Self.line(202, name: "생수", price: 3000, free: 1)]),
            Self.order(4, hotel: 2, guest: 7, day: 0, [Self.line(201, name: "라면", price: 0)]),
            // Guest 8 got a water free once and paid for one later: a paid item, not a free one.
            Self.order(5, hotel: 2, guest: 8, day: 3, [Self.line(202, name: "생수", price: 3000, free: 1)]),
            Self.order(6, hotel: 2, guest: 8, day: 4, [Self.line(202, name: "생수", price: 3000)]),
        ]
        let export = directory.write("week.csv", ExportRow.file(rows))
        let store = try FeatureStore(path: directory.path("store.sqlite"))
        _ = try store.ingest(exportsAt: [export], quarantineAt: directory.path("q.jsonl"))

        let data = try store.trainingData()
        #expect(data.items.map(\.id) == ["201", "202", "203"])
        #expect(data.guests.map(\.id) == ["5", "8"])
        #expect(data.interactions.map(\.guest) == [0, 1])
        #expect(data.interactions.map(\.item) == [0, 1])
        #expect(data.interactions.map(\.units) == [1, 1])
        #expect(data.freeOnlyGuests.map(\.id) == ["6", "7"])
        #expect(data.freeOnlyGuests.map(\.latestHotel) == ["2", "2"])
        // By time: guest 7's ramen (day 0), guest 5's two waters (day 1), guest 6's water (day 2). Guests 6 and 7
        // are indices 2 and 3, after the guests who paid.
        #expect(data.freeInteractions.map(\.guest) == [3, 0, 2])
        #expect(data.freeInteractions.map(\.item) == [0, 1, 1])
        #expect(data.freeInteractions.map(\.units) == [1, 2, 1])

        // The fingerprint covers the free lines too: a new one changes it.
        let more = directory.write(
            "week2.csv",
            ExportRow.file([
                Self.order(7, hotel: 2, guest: 9, day: 5, [Self.line(201, name: "라면", price: 9000, free: 1)])
            ]))
        _ = try store.ingest(exportsAt: [more], quarantineAt: directory.path("q.jsonl"))
        let after = try store.trainingData()
        #expect(after.interactions.count == data.interactions.count)
        #expect(after.freeOnlyGuests.map(\.id) == ["6", "7", "9"])
        #expect(after.fingerprint != data.fingerprint)
    }

    @Test func eachHotelsItemsAreContiguousInASample() throws {
        let directory = TemporaryDirectory()
        let export = directory.path("sample.csv")
        _ = try SampleExportGenerator(configuration: .init(hotels: 12, guests: 300, seed: 5)).write(to: export)
        let store = try FeatureStore(path: directory.path("store.sqlite"))
        _ = try store.ingest(exportsAt: [export], quarantineAt: directory.path("q.jsonl"))
        let data = try FeatureStore(path: directory.path("store.sqlite"), access: .readOnly).trainingData()

        let hotels = data.items.map(\.hotel)
        var finished: Set<String> = []
        for (previous, next) in zip(hotels, hotels.dropFirst()) where previous != next {
            #expect(finished.insert(previous).inserted, "hotel \(previous) split")
        }
        #expect(!finished.contains(hotels.last!))
        #expect(
            data.items.map { [$0.hotel, $0.id] }.elementsEqual(
                data.items.map { [$0.hotel, $0.id] }.sorted { $0.lexicographicallyPrecedes($1) }))
        #expect(data.guests.map(\.id) == data.guests.map(\.id).sorted())
        #expect(data.items.allSatisfy { $0.price > 0 })
        #expect(data.interactions.allSatisfy { $0.units > 0 })
        // Every guest listed has an interaction.
        #expect(Set(data.interactions.map(\.guest)).count == data.guests.count)
        #expect(try store.integer("SELECT count(*) FROM guests") >= data.guests.count)
    }
}
