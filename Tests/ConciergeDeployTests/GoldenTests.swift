import ConciergeDeploy
import Testing

@Suite struct GoldenTests {
    @Test func requestFileLines() throws {
        let text = "# checked by hand\n\nguest g-1\n  item  club sandwich\n"
        #expect(
            throws: DeployCheckError(
                #"golden.txt line 4: expected "guest ID" or "item ID", got:   item  club sandwich"#)
        ) {
            try GoldenRequest.parse(text, file: "golden.txt")
        }
        let requests = try GoldenRequest.parse("guest g/1\n\titem café\nitem x\n", file: "golden.txt")
        #expect(requests == [.guest("g/1"), .item("café"), .item("x")])
        #expect(
            requests.map(\.path) == [
                "/recommend?k=10&user=g%2F1", "/similar?k=10&item=caf%C3%A9", "/similar?k=10&item=x",
            ])
    }

    /// deploy.sh's `spread`: lines 1, 1 + step, … with step = ⌈total / count⌉, at most `count`.
    @Test func spreadPicksEvenSteps() {
        #expect(GoldenRequest.spread(20, over: 600) == Array(stride(from: 0, to: 600, by: 30)))
        #expect(GoldenRequest.spread(10, over: 25) == [0, 3, 6, 9, 12, 15, 18, 21, 24])
        #expect(GoldenRequest.spread(20, over: 7) == Array(0..<7))
        #expect(GoldenRequest.spread(20, over: 0).isEmpty)
    }

    @Test func answersTheirItems() {
        let body = #"{"user":"g-1","items":[{"id":"tea","name":"Tea"},{"id":"cake"}],"model":"roomservice"}"#
        #expect(GoldenAnswer(status: 200, body: body) == GoldenAnswer(status: 200, itemIDs: ["tea", "cake"]))
        #expect(GoldenAnswer(status: 200, body: body).isGood)
        #expect(!GoldenAnswer(status: 200, body: #"{"items":[]}"#).isGood)
        #expect(!GoldenAnswer(status: 404, body: #"{"error":{"code":"unknown_user","message":"…"}}"#).isGood)
        #expect(!GoldenAnswer(status: 200, body: "not json").isGood)
    }

    @Test func overlapIsTheShareOfTheActiveItemsKept() {
        var overlap = GoldenOverlap()
        #expect(overlap.mean == nil)
        overlap.compare(new: ["a", "b", "c", "d"], active: ["d", "c", "b", "a"])
        overlap.compare(new: ["a", "x"], active: ["a", "b", "c", "d"])
        overlap.compare(new: ["a"], active: [])
        #expect(overlap.compared == 2)
        #expect(overlap.mean == 0.625)
        #expect(overlap.lowest == 0.25)
        #expect(overlap.identical == 1)
    }
}
