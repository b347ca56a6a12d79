import ConciergeJSON
import ConciergeServing
import Foundation
import Testing

@testable import ConciergeAPI

/// How answers are written from what a version precomputes when it loads: its items' JSON and its metric handles.
@Suite struct AnswerWritingTests {
    let service: RoutedService

    init() throws {
        service = try RoutedService()
    }

    @Test("every item's precomputed JSON is its catalogue entry, with the score put in its place")
    func itemFragmentsSayWhatTheCatalogueSays() throws {
        let model = service.model
        let fragments = ItemJSONFragments(model: model)
        for item in 0..<model.itemCount {
            var writer = JSONWriter()
            fragments.writeList(count: 1, to: &writer) { _ in (item, 0.25) }
            let json =
                try #require(
                    try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [[String: Any]],
                    "\(String(decoding: writer.bytes, as: UTF8.self))"
                ).first ?? [:]
            let metadata = model.item(item)
            #expect(json["id"] as? String == model.itemID(item))
            #expect(json["name"] as? String == metadata.name)
            #expect(json["score"] as? Double == 0.25)
            #expect(json["hotel"] as? String == model.hotelID(metadata.hotel))
            #expect(json["department"] as? String == metadata.department)
            #expect(json["price"] as? Double == metadata.price)
        }
    }

    @Test("a score JSON cannot spell is written as 0")
    func nonFiniteScoresAreZero() throws {
        var writer = JSONWriter()
        ItemJSONFragments(model: service.model).writeList(count: 1, to: &writer) { _ in (0, .nan) }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [[String: Any]])
        #expect(json.first?["score"] as? Double == 0)
    }

    @Test("a list is every item it is given, in order, and an empty one is []")
    func listsHoldTheirItemsInOrder() throws {
        let model = service.model
        let fragments = ItemJSONFragments(model: model)
        for count in [0, 1, 2, model.itemCount] {
            var writer = JSONWriter()
            let items = (0..<count).map { (model.itemCount - 1 - $0, Float($0) / 8) }
            fragments.writeList(count: count, to: &writer) { items[$0] }
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [[String: Any]],
                "\(String(decoding: writer.bytes, as: UTF8.self))")
            #expect(json.map { $0["id"] as? String } == items.map { model.itemID($0.0) })
            #expect(json.map { $0["score"] as? Double } == items.map { Double($0.1) })
        }
    }

    @Test("a recommendation counter appears with its hotel and strategy's first answer and counts every answer")
    func recommendationCountersCountByHotelAndStrategy() {
        #expect(!service.get("/metrics").body.contains("concierge_recommendations_total{"))
        let hotel = service.model.hotelID(1)
        for _ in 0..<3 { #expect(service.get("/recommend?hotel=\(hotel)").status == 200) }
        let metrics = service.get("/metrics").body
        #expect(metrics.contains(#"concierge_recommendations_total{strategy="popular",hotel="\#(hotel)"} 3"#))
        #expect(metrics.components(separatedBy: "concierge_recommendations_total{").count == 2, "\(metrics)")
    }
}
