import ConciergeModel
import ConciergeModelFormat
import ConciergeServing
import Dispatch
import Synchronization
import Testing

@Suite struct RecommenderTests {
    @Test(arguments: [ModelKind.als, .itemItem, .popular, .ease, .easeALS])
    func rulesHoldOnRandomRequests(kind: ModelKind) throws {
        let recommender = ServingFixture.recommender(for: kind)
        let model = recommender.model
        let checker = RuleChecker(model: model)
        var strategies: [RecommendationStrategy: Int] = [:]
        for request in RandomRequests.make(400, for: model, seed: 5) {
            let result = try recommender.recommend(request)
            checker.check(result, for: request)
            strategies[result.strategy, default: 0] += 1

            let user = request.user.flatMap(model.userIndex(for:))
            let hotel = request.hotel.flatMap(model.hotelIndex(for:)) ?? model.latestHotel(ofUser: user!)
            let block = model.items(ofHotel: hotel)
            let usableRecent = request.recent.filter { model.itemIndex(for: $0).map(block.contains) ?? false }
            if let user, !model.userItems.rowRange(user).isEmpty {
                #expect(result.ignoredRecent == request.recent.count)
                #expect(
                    result.strategy == (kind == .popular ? .popular : Self.personal(kind))
                        || kind != .als && kind != .easeALS && result.strategy == .popular
                        || kind == .easeALS && result.strategy == .als)
            } else {
                #expect(result.ignoredRecent == request.recent.count - usableRecent.count)
                if usableRecent.isEmpty || kind == .popular {
                    #expect(result.strategy == .popular)
                } else {
                    #expect(
                        result.strategy == .foldIn || kind != .als && kind != .easeALS && result.strategy == .popular)
                }
            }
        }
        let expected: Set<RecommendationStrategy> =
            kind == .popular ? [.popular] : [.popular, .foldIn, Self.personal(kind)]
        // EASE-ALS scores a history with nothing on the hotel's menu by ALS alone.
        #expect(
            Set(strategies.keys).subtracting(kind == .easeALS ? [.als] : []) == expected,
            "every strategy of the kind is exercised: \(strategies)")
    }

    private static func personal(_ kind: ModelKind) -> RecommendationStrategy {
        switch kind {
        case .als: .als
        case .itemItem: .itemItem
        case .ease: .ease
        case .easeALS: .easeALS
        case .popular: .popular
        }
    }

    /// A known guest whose answer came by the strategy asked for, with their latest hotel's block and their history
    /// in it.
    private struct ServedGuest {
        var user: Int
        var result: RecommendationResult
        var block: Range<Int>
        var history: [Int]
    }

    /// Calls `check` for the first 200 known guests `recommender` answers by `strategy` (and expects there are 200),
    /// after checking that each answer is the best of `check`'s scores over the hotel's items the guest neither
    /// ordered nor got free, best first, the served scores within `tolerance` of them. Then asks for the same guest
    /// as a new one, whose history is their `recent` items, and hands that answer to `asNewGuest`.
    private func forEachGuest(
        servedBy strategy: RecommendationStrategy, by recommender: Recommender, tolerance: Double,
        score: (ServedGuest) throws -> (Int) -> Double,
        asNewGuest: (_ served: RecommendationResult, _ asNew: RecommendationResult) -> Void
    ) throws {
        let model = recommender.model
        var compared = 0
        for user in 0..<model.userCount where !model.userItems.rowRange(user).isEmpty {
            let result = try recommender.recommend(RecommendationRequest(user: model.userID(user), count: 10))
            guard result.strategy == strategy else { continue }
            let hotel = model.latestHotel(ofUser: user)
            let block = model.items(ofHotel: hotel)
            let history = model.userItems.columnIndices(ofRow: user).map { Int($0) }.filter(block.contains)
            let scored = try score(ServedGuest(user: user, result: result, block: block, history: history))
            let free = model.view.freeItems(ofUser: user).map { Int($0) }
            let expected = block.filter { !history.contains($0) && !free.contains($0) }
                .sorted { scored($0) > scored($1) }.prefix(10)
            let scores = result.items.map(\.score)
            #expect(scores == scores.sorted(by: >))
            for (served, item) in zip(result.items, expected) {
                #expect(abs(Double(served.score) - scored(item)) < tolerance, "guest \(user)")
                #expect(abs(Double(served.score) - scored(served.index)) < tolerance, "guest \(user)")
            }
            let asNew = try recommender.recommend(
                RecommendationRequest(
                    user: nil, count: 10, hotel: model.hotelID(hotel), exclude: free.map(model.itemID),
                    recent: history.map(model.itemID)))
            asNewGuest(result, asNew)
            compared += 1
            if compared == 200 { break }
        }
        #expect(compared == 200)
    }

    /// EASE's score of each item of the guest's block, in Double: their history's rows of B added.
    private func easeScores(_ guest: ServedGuest, model: LoadedModel) throws -> [Double] {
        let weights = try #require(model.view.easeWeights(ofHotel: model.latestHotel(ofUser: guest.user)))
        let block = guest.block
        return block.map { item in
            guest.history.reduce(0.0) {
                $0 + Double(weights[($1 - block.lowerBound) * block.count + item - block.lowerBound])
            }
        }
    }

    /// EASE-ALS by its definition, computed here in Double from the stored B and factors: over the guest's hotel,
    /// EASE's scores (history times B) and ALS's (dot products) each divided by their standard deviation there,
    /// ALS's times the version's weight, added.
    @Test func easeALSScoresAreTheBlendOfBoth() throws {
        let recommender = ServingFixture.easeALS
        let model = recommender.model
        let weight = 1.5
        #expect(model.view.hyperParameters["weight"] == .number(weight))
        let userFactors = try #require(model.view.userFactors)
        let itemFactors = try #require(model.view.itemFactors)
        func deviation(_ values: [Double]) -> Double {
            let mean = values.reduce(0, +) / Double(values.count)
            let spread = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            return spread > 0 ? spread : 1
        }
        try forEachGuest(servedBy: .easeALS, by: recommender, tolerance: 1e-3) { guest in
            let ease = try easeScores(guest, model: model)
            let als = guest.block.map { item in
                zip(userFactors.row(guest.user), itemFactors.row(item)).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            }
            let (easeSpread, alsSpread) = (deviation(ease), deviation(als))
            let first = guest.block.lowerBound
            return { ease[$0 - first] / easeSpread + weight * als[$0 - first] / alsSpread }
        } asNewGuest: { served, asNew in
            #expect(asNew.strategy == .foldIn && asNew.items.count == served.items.count)
        }
    }

    /// EASE by its definition, computed here in Double from the stored B: a known guest's scores are their
    /// history row times their hotel's block, and a new guest's `recent` items give the same scores.
    @Test func easeScoresAreTheHistoryTimesB() throws {
        let recommender = ServingFixture.ease
        try forEachGuest(servedBy: .ease, by: recommender, tolerance: 1e-4) { guest in
            let ease = try easeScores(guest, model: recommender.model)
            return { ease[$0 - guest.block.lowerBound] }
        } asNewGuest: { served, asNew in
            #expect(asNew.strategy == .foldIn)
            #expect(asNew.items.map(\.index) == served.items.map(\.index))
        }
    }

    /// implicit's ItemItemRecommender by its definition: `score(i) = Σⱼ unitsⱼ · sim(j, i)` over the neighbours in
    /// the hotel of what the guest ordered, seen items left out.
    @Test func itemItemScoresAreWeightedNeighbourSums() throws {
        let recommender = ServingFixture.itemItem
        let model = recommender.model
        let checker = RuleChecker(model: model)
        var compared = 0
        for user in 0..<model.userCount where !model.userItems.rowRange(user).isEmpty {
            let result = try recommender.recommend(RecommendationRequest(user: model.userID(user), count: 20))
            guard result.strategy == .itemItem else { continue }
            let block = model.items(ofHotel: model.latestHotel(ofUser: user))
            var sums: [Int: Double] = [:]
            for (item, units) in zip(model.userItems.columnIndices(ofRow: user), model.userItems.values(ofRow: user)) {
                for (neighbour, similarity) in zip(
                    model.itemNeighbours.columnIndices(ofRow: Int(item)), model.itemNeighbours.values(ofRow: Int(item)))
                where block.contains(Int(neighbour)) {
                    sums[Int(neighbour), default: 0] += Double(units) * Double(similarity)
                }
            }
            let seen = checker.seenItems(RecommendationRequest(user: model.userID(user)))
            let expected = sums.filter { !seen.contains($0.key) }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(20)
            #expect(result.items.count == expected.count)
            for (item, wanted) in zip(result.items, expected) {
                #expect(abs(Double(item.score) - wanted.value) < 1e-4 * max(1, abs(wanted.value)))
            }
            compared += 1
        }
        #expect(compared > 100)
    }

    @Test func anUnknownGuestWithoutRecentItemsGetsTheHotelsPopularItems() throws {
        for kind in ModelKind.allCases {
            let recommender = ServingFixture.recommender(for: kind)
            let model = recommender.model
            for hotel in 0..<model.hotelCount {
                let result = try recommender.recommend(
                    RecommendationRequest(user: "nobody-knows-me", count: 7, hotel: model.hotelID(hotel)))
                #expect(result.strategy == .popular)
                let row = model.popularity.rowRange(hotel).prefix(7)
                #expect(result.items.map(\.index) == row.map { Int(model.popularity.columnIndices[$0]) })
                #expect(result.items.map(\.score) == row.map { model.popularity.values[$0] })
                #expect(result.ignoredRecent == 0 && result.ignoredExclusions == 0)
            }
        }
    }

    @Test func refusedRequestsNameTheField() throws {
        let recommender = ServingFixture.als
        let model = recommender.model
        let hotel = model.hotelID(0)
        #expect(throws: RecommendationError.countOutOfRange(0)) {
            try recommender.recommend(RecommendationRequest(user: nil, count: 0, hotel: hotel))
        }
        #expect(throws: RecommendationError.countOutOfRange(101)) {
            try recommender.recommend(RecommendationRequest(user: model.userID(0), count: 101))
        }
        #expect(throws: RecommendationError.unknownHotel("H-nowhere")) {
            try recommender.recommend(RecommendationRequest(user: model.userID(0), hotel: "H-nowhere"))
        }
        #expect(throws: RecommendationError.hotelRequired(user: nil)) {
            try recommender.recommend(RecommendationRequest(user: nil, recent: ["not-an-item"]))
        }
        // A new guest's recent items say which hotel they are in.
        let inferred = try recommender.recommend(RecommendationRequest(user: nil, recent: [model.itemID(0)]))
        #expect(inferred.hotel == model.hotelID(model.hotel(ofItem: 0)))
        #expect(inferred.strategy == .foldIn)
        #expect(throws: RecommendationError.hotelRequired(user: "ghost")) {
            try recommender.recommend(RecommendationRequest(user: "ghost"))
        }
        #expect(throws: RecommendationError.unknownItem("no-such-item")) {
            try recommender.similarItems(to: "no-such-item", count: 5)
        }
        #expect(throws: RecommendationError.countOutOfRange(0)) {
            try recommender.similarItems(to: model.itemID(0), count: 0)
        }
        let errors: [RecommendationError] = [
            .countOutOfRange(0), .unknownHotel("x"), .hotelRequired(user: nil), .unknownItem("y"),
        ]
        #expect(errors.map(\.field) == ["count", "hotel", "hotel", "item"])
        #expect(errors.allSatisfy { !$0.message.isEmpty && !$0.message.contains("\n") })
    }

    @Test func recentItemsOfAnotherHotelAreIgnoredAndCounted() throws {
        let recommender = ServingFixture.als
        let model = recommender.model
        let elsewhere = model.items(ofHotel: 1).prefix(3).map(model.itemID)
        let result = try recommender.recommend(
            RecommendationRequest(user: nil, count: 5, hotel: model.hotelID(0), recent: elsewhere + ["nope"]))
        #expect(result.strategy == .popular)
        #expect(result.ignoredRecent == 4)
        #expect(result.items.allSatisfy { model.items(ofHotel: 0).contains($0.index) })
    }

    @Test func fewerEligibleItemsThanAskedReturnsWhatThereIs() throws {
        let recommender = ServingFixture.als
        let model = recommender.model
        let block = model.items(ofHotel: 2)
        let kept = block.prefix(3)
        let result = try recommender.recommend(
            RecommendationRequest(
                user: nil, count: 50, hotel: model.hotelID(2), exclude: block.dropFirst(3).map(model.itemID),
                recent: [model.itemID(block.lowerBound)], includeSeen: true))
        #expect(result.strategy == .foldIn)
        #expect(Set(result.items.map(\.index)) == Set(kept))
    }

    @Test(arguments: [ModelKind.als, .itemItem])
    func similarItemsFollowTheNeighbourListWithinTheHotel(kind: ModelKind) throws {
        let recommender = ServingFixture.recommender(for: kind)
        let model = recommender.model
        for item in stride(from: 0, to: model.itemCount, by: 3) {
            let result = try recommender.similarItems(to: model.itemID(item), count: 10)
            let hotel = model.hotel(ofItem: item)
            let block = model.items(ofHotel: hotel)
            let stored = zip(model.itemNeighbours.columnIndices(ofRow: item), model.itemNeighbours.values(ofRow: item))
                .filter { Int($0.0) != item && block.contains(Int($0.0)) }.prefix(10)
            #expect(result.item == model.itemID(item) && result.hotel == model.hotelID(hotel))
            #expect(result.items.map(\.index) == stored.map { Int($0.0) })
            #expect(result.items.map(\.score) == stored.map(\.1))
            #expect(result.items.allSatisfy { $0.hotel == result.hotel })
        }
    }

    @Test func concurrentCallsAnswerAsSequentialOnes() {
        let recommender = ServingFixture.als
        recommender.warmUp()
        let requests =
            RandomRequests.make(300, for: recommender.model, seed: 9)
            + [RecommendationRequest(user: nil, count: 0), RecommendationRequest(user: "ghost")]
        @Sendable func answer(_ request: RecommendationRequest) -> Result<RecommendationResult, RecommendationError> {
            Result { () throws(RecommendationError) in try recommender.recommend(request) }
        }
        let sequential = requests.map(answer)
        let threads = 8
        let answers = Mutex([[Result<RecommendationResult, RecommendationError>]](repeating: [], count: threads))
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            // Each thread starts at a different request, so different strategies overlap.
            let start = thread * requests.count / threads
            var mine = [Result<RecommendationResult, RecommendationError>?](repeating: nil, count: requests.count)
            for step in 0..<requests.count {
                let index = (start + step) % requests.count
                mine[index] = answer(requests[index])
            }
            answers.withLock { $0[thread] = mine.map { $0! } }
        }
        answers.withLock { answers in
            for thread in answers { #expect(thread == sequential) }
        }
    }
}
