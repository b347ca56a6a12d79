import ConciergeServing
import Testing

@Suite struct RecommendationStrategyTests {
    @Test func positionIsThePlaceInAllCases() {
        #expect(RecommendationStrategy.allCases.map(\.position) == Array(RecommendationStrategy.allCases.indices))
    }
}
