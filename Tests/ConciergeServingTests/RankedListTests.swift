import ConciergeModel
import ConciergeModelFormat
import ConciergeServing
import Testing

/// `rank` is `recommend` before the items are named: an answer written from it says what `recommend` says.
@Suite struct RankedListTests {
    @Test(arguments: [ModelKind.als, .itemItem, .popular])
    func rankIsRecommendByIndex(kind: ModelKind) throws {
        let recommender = ServingFixture.recommender(for: kind)
        let model = recommender.model
        for request in RandomRequests.make(200, for: model, seed: 11) {
            let named = try recommender.recommend(request)
            let ranked = try recommender.rank(request)
            #expect(ranked.strategy == named.strategy)
            #expect(model.hotelID(ranked.hotel) == named.hotel)
            #expect(ranked.items.map(\.item) == named.items.map(\.index))
            #expect(ranked.items.map(\.score) == named.items.map(\.score))
            #expect(ranked.ignoredExclusions == named.ignoredExclusions)
            #expect(ranked.ignoredRecent == named.ignoredRecent)
        }
    }
}
