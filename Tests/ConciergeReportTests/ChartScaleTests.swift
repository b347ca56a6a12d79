import Testing

@testable import ConciergeReport

@Suite struct ChartScaleTests {
    @Test func metricsGetRoundTicksFromZero() {
        let scale = ChartScale(covering: [0.03, 0.27], includingZero: true, from: 100, to: 400)
        #expect(scale.lower == 0)
        #expect(abs(scale.upper - 0.3) < 1e-12)
        #expect(scale.ticks.map(scale.label) == ["0.0", "0.1", "0.2", "0.3"])
        #expect(scale.position(0) == 100)
        #expect(abs(scale.position(0.3) - 400) < 1e-9)
        #expect(abs(scale.position(0.15) - 250) < 1e-9)
    }

    @Test func aLossAxisHugsItsValuesAndRunsUpwardsOnScreen() {
        let scale = ChartScale(covering: [1_180, 905, 960], includingZero: false, from: 250, to: 10)
        #expect(scale.lower == 900)
        #expect(scale.upper == 1_200)
        #expect(scale.position(900) == 250)
        #expect(scale.position(1_200) == 10)
        #expect(scale.ticks.map(scale.label) == ["900", "1000", "1100", "1200"])
    }

    @Test func noValuesOrEqualValuesStillSpanAPositiveWidth() {
        let empty = ChartScale(covering: [], includingZero: true, from: 0, to: 100)
        #expect(empty.lower == 0 && empty.upper == 1)
        let zeros = ChartScale(covering: [0, 0], includingZero: true, from: 0, to: 100)
        #expect(zeros.lower == 0 && zeros.upper == 1)
        let single = ChartScale(covering: [5], includingZero: false, from: 0, to: 100)
        #expect(single.upper > single.lower)
        #expect(single.position(5).isFinite)
        #expect((0...100).contains(single.position(5)))
    }

    @Test func stepsAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(abs(ChartScale.roundStep(0.054) - 0.1) < 1e-15)
        #expect(abs(ChartScale.roundStep(0.0017) - 0.002) < 1e-15)
        #expect(ChartScale(covering: [0.2], includingZero: true, from: 0, to: 1).label(0.05) == "0.05")
        #expect(ChartScale.roundStep(3) == 5)
        #expect(ChartScale.roundStep(10) == 10)
    }
}
