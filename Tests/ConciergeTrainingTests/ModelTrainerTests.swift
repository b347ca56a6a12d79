import ConciergeData
import ConciergeModel
import ConciergeModelFormat
import ConciergeRegistry
import Foundation
import Testing

@testable import ConciergeTraining

/// Training end to end on the generator's data: export → feature store → trainer → artifacts.
@Suite struct ModelTrainerTests {
    /// One generated week shared by the tests below (generating and ingesting takes about a second).
    static let sample: TrainingData = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let export = folder.appendingPathComponent("orders.csv").path
        _ = try! SampleExportGenerator(configuration: .init(guests: 1_500, seed: 11)).write(to: export)
        let store = try! FeatureStore(path: folder.appendingPathComponent("store.sqlite").path)
        _ = try! store.ingest(exportsAt: [export], quarantineAt: folder.appendingPathComponent("q.jsonl").path) { _ in }
        return try! store.trainingData()
    }()

    @Test func chosenModelBeatsPopularityOnTheHoldout() throws {
        let outcome = try ModelTrainer(options: TrainingOptions(iterations: 10)).train(Self.sample)
        let chosen = try #require(outcome.holdout.first)
        let popular = try #require(outcome.holdout.first { $0.candidate.kind == .popular })
        // The holdout measures the choice on the training part; on this sample the choice on all data differs.
        #expect(chosen.candidate == outcome.holdoutChoice)
        #expect(outcome.artifacts.holdoutModel == outcome.holdoutChoice.description)
        #expect(outcome.artifacts.kind == outcome.chosen.kind)
        #expect(outcome.chosen.kind != .popular, "the generator plants tastes a collaborative model must find")
        #expect(outcome.holdoutChoice.kind != .popular)
        #expect(chosen.metrics.meanAveragePrecision > popular.metrics.meanAveragePrecision * 1.1)
        #expect(outcome.artifacts.metrics["map@10"] == chosen.metrics.meanAveragePrecision)
        #expect(outcome.artifacts.metrics["popular.map@10"] == popular.metrics.meanAveragePrecision)
        #expect(outcome.artifacts.candidates.count == outcome.validation.count)
        try outcome.artifacts.validate()
    }

    /// Nested selection: the holdout measures the selection's choice on the training part, refitted there; the
    /// served model is the same selection's choice on all data, whose candidates' metrics are the ones recorded.
    @Test func theServedModelIsChosenOnAllDataAndTheHoldoutMeasuresTheChoiceOnTheRest() throws {
        let options = TrainingOptions(factors: 8, iterations: 3, validationCuts: 2, tune: false)
        let trainer = ModelTrainer(options: options)
        var stages: [String] = []
        let outcome = try trainer.train(Self.sample) {
            if case .stage(let name, _) = $0 { stages.append(name) }
        }
        #expect(
            stages.prefix(4) == [
                "training part: comparing candidates", "training part: comparing the leaders on validation cut 2 of 2",
                "all data: comparing candidates", "all data: comparing the leaders on validation cut 2 of 2",
            ])

        let matrix = InteractionMatrix(Self.sample)
        let training = TrainTestSplit.split(matrix.userItems, testFraction: options.holdout, seed: options.seed).train
        let onTraining = try trainer.choose(on: training, named: "", matrix: matrix, withoutEASE: false) { _ in }
        let onAllData = try trainer.choose(on: matrix.userItems, named: "", matrix: matrix, withoutEASE: false) { _ in }
        #expect(outcome.holdoutChoice == onTraining.chosen)
        #expect(outcome.chosen == onAllData.chosen)
        #expect(outcome.validation.map(\.candidate) == onAllData.validation.map(\.candidate))
        #expect(outcome.validation.map(\.metrics) == onAllData.validation.map(\.metrics))
        #expect(outcome.validation.map(\.metrics) != onTraining.validation.map(\.metrics))

        // The holdout figures are the training part's choice's, and the manifest says whose they are.
        let artifacts = outcome.artifacts
        #expect(outcome.holdout.first?.candidate == outcome.holdoutChoice)
        #expect(artifacts.metrics["map@10"] == outcome.holdout.first?.metrics.meanAveragePrecision)
        #expect(artifacts.holdoutModel == outcome.holdoutChoice.description)
        #expect(artifacts.kind == outcome.chosen.kind)
        #expect(artifacts.candidates.map(\.name) == onAllData.validation.map(\.candidate.description))
        try artifacts.validate()
    }

    @Test func theSameSeedGivesTheSameModel() throws {
        let options = TrainingOptions(factors: 16, iterations: 5, seed: 3, tune: false)
        let first = try ModelTrainer(options: options).train(Self.sample)
        let second = try ModelTrainer(options: options).train(Self.sample)
        #expect(first.artifacts == second.artifacts)
    }

    @Test func withoutTuningOnlyTheGivenSettingsCompeteWithTheBaselines() throws {
        let options = TrainingOptions(factors: 8, iterations: 3, regularization: 0.5, alpha: 2, tune: false)
        let outcome = try ModelTrainer(options: options).train(Self.sample)
        let tried = outcome.validation.map(\.candidate)
        #expect(tried.count == 4)
        #expect(tried.contains(.popular(.distinctGuests)) && tried.contains(.popular(.totalUnits)))
        #expect(
            tried.contains {
                if case .als(let c) = $0 { c.factors == 8 && c.regularization == 0.5 && c.alpha == 2 } else { false }
            })
    }

    @Test func theManifestRecordsTheDataSeenTheLossPerIterationAndEachHotelsHoldout() throws {
        let options = TrainingOptions(factors: 8, iterations: 4, tune: false)
        let outcome = try ModelTrainer(options: options).train(Self.sample)
        let artifacts = outcome.artifacts
        #expect(
            artifacts.dataSeen
                == .init(
                    guests: Self.sample.guests.count, items: Self.sample.items.count,
                    orderLines: Self.sample.interactions.count, quarantinedRows: Self.sample.quarantinedRows))
        #expect(Self.sample.quarantinedRows != nil, "a feature store knows what its ingests quarantined")
        if outcome.chosen.kind == .als {
            let losses = try #require(artifacts.lossHistory)
            #expect(losses.count == 4)
            #expect(losses.last! < losses.first!, "ALS converges")
        } else {
            #expect(artifacts.lossHistory == nil, "only ALS has a loss")
        }
        let hotels = try #require(artifacts.hotelMetrics)
        #expect(Set(hotels.keys) == Set(artifacts.hotelIDs))
        let evaluated = hotels.values.map { $0["evaluated_users"] ?? -1 }.reduce(0, +)
        // A guest counts in the hotel of their latest stay, unless all they had held out came from another hotel.
        let overall = try #require(artifacts.metrics["evaluated_users"])
        #expect(evaluated <= overall && evaluated > overall * 0.9)
        for metrics in hotels.values {
            #expect((0...1).contains(metrics["coverage"] ?? -1))
            #expect((0...1).contains(metrics["map@10"] ?? -1))
        }
        try artifacts.validate()
    }

    /// EASE competes over λ and both inputs; a hotel past the item limit leaves it out, with a line that says so.
    @Test func easeCompetesUnlessAHotelIsPastTheLimit() throws {
        let matrix = InteractionMatrix(Self.sample)
        let largest = matrix.hotelItemRanges.map(\.count).max()!
        var options = TrainingOptions(factors: 8, iterations: 2)
        let grid = ModelTrainer(options: options).candidateModels().filter { $0.kind == .ease }
        #expect(grid.count == ModelTrainer.easeLambdas.count * 2)
        #expect(ModelTrainer.easeLambdas.max()! / ModelTrainer.easeLambdas.min()! >= 1_000)
        let lambdas = ModelTrainer.easeLambdas
        #expect(zip(lambdas, lambdas.dropFirst()).allSatisfy { $1 > $0 && $1 / $0 <= 3.5 }, "steps of about √10")

        options.easeItemLimit = largest - 1
        var notices: [String] = []
        let outcome = try ModelTrainer(options: options).train(Self.sample) {
            if case .notice(let line) = $0 { notices.append(line) }
        }
        #expect(!outcome.validation.contains { $0.candidate.kind == .ease })
        #expect(outcome.chosen.kind != .ease && outcome.artifacts.easeWeights == nil)
        #expect(notices.count == 1)
        #expect(notices.first?.contains("EASE left out") == true)
        #expect(notices.first?.contains("\(largest) items, above the limit of \(largest - 1)") == true)
    }

    /// Every candidate's validation metrics land in the manifest's `candidates`, named, EASE's and both
    /// popularities' among them; an EASE winner ships its B.
    @Test func candidatesAreRecordedWithTheirValidationMetrics() throws {
        let outcome = try ModelTrainer(options: TrainingOptions(factors: 8, iterations: 2)).train(Self.sample)
        let recorded = outcome.artifacts.candidates
        #expect(recorded.count == outcome.validation.count)
        for (candidate, (tried, metrics)) in zip(recorded, outcome.validation) {
            #expect(candidate.name == tried.description && candidate.kind == tried.kind)
            #expect(candidate.metrics["map@10"] == metrics.meanAveragePrecision)
        }
        #expect(recorded.contains { $0.name == "popular(distinct guests)" })
        #expect(recorded.contains { $0.name == "popular(units)" })
        #expect(recorded.contains { $0.kind == .ease && $0.hyperParameters["input"] == "units" })
        let blends = recorded.filter { $0.kind == .easeALS }
        #expect(blends.map { $0.hyperParameters["weight"] } == ModelTrainer.blendWeights.map { .number($0) })
        #expect(blends.allSatisfy { $0.hyperParameters["lambda"] != nil && $0.hyperParameters["factors"] != nil })
        #expect(outcome.artifacts.kind.requiresEaseWeights == (outcome.artifacts.easeWeights != nil))
        #expect(!outcome.artifacts.kind.requiresFactors || outcome.artifacts.itemFactors != nil)
        try outcome.artifacts.validate()
    }

    @Test func thePopularityThatValidatesBetterIsKept() {
        func metrics(_ map: Double) -> RankingMetrics {
            RankingMetrics(
                k: 10, precision: 0.1, meanAveragePrecision: map, ndcg: 0.1, auc: 0.5, coverage: 0.1, users: 9)
        }
        #expect(ModelTrainer.bestPopularity([]) == nil)
        #expect(
            ModelTrainer.bestPopularity([
                (.popular(.distinctGuests), metrics(0.1)), (.popular(.totalUnits), metrics(0.2)),
                (.itemItem(neighbours: 5), metrics(0.9)),
            ]) == .totalUnits)
        #expect(
            ModelTrainer.bestPopularity([
                (.popular(.distinctGuests), metrics(0.3)), (.popular(.totalUnits), metrics(0.2)),
            ])
                == .distinctGuests)
    }

    @Test func everyRecommendableItemStaysInItsHotel() throws {
        let outcome = try ModelTrainer(options: TrainingOptions(factors: 8, iterations: 3, tune: false)).train(
            Self.sample)
        let artifacts = outcome.artifacts
        for (hotel, range) in artifacts.hotelItemRanges.enumerated() {
            #expect(range.allSatisfy { artifacts.items[$0].hotel == hotel })
            for item in range {
                for index in artifacts.itemNeighbours.rowRange(item) {
                    #expect(range.contains(Int(artifacts.itemNeighbours.columnIndices[index])))
                }
            }
            for index in artifacts.popularity.rowRange(hotel) {
                #expect(range.contains(Int(artifacts.popularity.columnIndices[index])))
            }
        }
    }

    @Test func freeItemsChangeNothingTrainingLearnsFrom() {
        var paidOnly = Self.sample
        paidOnly.freeOnlyGuests = []
        paidOnly.freeInteractions = []
        #expect(!Self.sample.freeOnlyGuests.isEmpty && !Self.sample.freeInteractions.isEmpty)
        let withFree = InteractionMatrix(Self.sample)
        let without = InteractionMatrix(paidOnly)
        #expect(withFree.userItems == without.userItems)
        #expect(withFree.userHotel == without.userHotel)
        #expect(withFree.hotelItemRanges == without.hotelItemRanges)
        #expect(withFree.freeUserItems.rows == Self.sample.guests.count + Self.sample.freeOnlyGuests.count)
    }

    /// Offline evaluation applies serving's seen rule: a guest's free items are never among their recommendations.
    @Test(arguments: [
        CandidateModel.popular(.distinctGuests), .popular(.totalUnits), .itemItem(neighbours: 20),
        .ease(.init(lambda: 100, input: .binary)),
        .als(.init(factors: 8, iterations: 3, seed: 1, threads: 2)),
    ])
    func evaluationLeavesOutWhatAGuestGotFree(candidate: CandidateModel) {
        let matrix = InteractionMatrix(Self.sample)
        let fitted = FittedModel(candidate, on: matrix.userItems, matrix: matrix, threads: 2)
        var guestsWithFreeItems = 0
        for user in 0..<matrix.users where !matrix.freeUserItems.rowRange(user).isEmpty {
            let free = Set(matrix.freeUserItems.rowRange(user).map { Int(matrix.freeUserItems.columnIndices[$0]) })
            let recommended = fitted.recommend(user: user, count: 10)
            #expect(free.isDisjoint(with: recommended), "guest \(user)")
            #expect(recommended.count <= 10)
            guestsWithFreeItems += 1
        }
        #expect(guestsWithFreeItems > 20)
    }

    @Test func guestsWhoOnlyGotItemsFreeAreUsersWithAHotelButNoHistory() throws {
        let data = Self.sample
        let artifacts = try ModelTrainer(options: TrainingOptions(factors: 8, iterations: 3, tune: false)).train(data)
            .artifacts
        let trained = data.guests.count
        #expect(artifacts.userIDs == (data.guests + data.freeOnlyGuests).map(\.id))
        let free = try #require(artifacts.userFreeItems)
        for (offset, guest) in data.freeOnlyGuests.enumerated() {
            let user = trained + offset
            #expect(artifacts.userItems.rowRange(user).isEmpty)
            #expect(!free.rowRange(user).isEmpty)
            if let hotel = artifacts.hotelIDs.firstIndex(of: guest.latestHotel) {
                #expect(artifacts.userHotel[user] == hotel)
            }
            if let userFactors = artifacts.userFactors { #expect(userFactors.row(user).allSatisfy { $0 == 0 }) }
        }
        for user in 0..<artifacts.userIDs.count {
            let paid = Set(artifacts.userItems.rowRange(user).map { artifacts.userItems.columnIndices[$0] })
            #expect(free.rowRange(user).allSatisfy { !paid.contains(free.columnIndices[$0]) })
        }
        #expect(free.nonZeroCount == Set(data.freeInteractions.map { SIMD2($0.guest, $0.item) }).count)
        try artifacts.validate()
    }

    @Test func anEmptyStoreIsACleanError() {
        let empty = TrainingData(items: [], guests: [], interactions: [], fingerprint: "0")
        #expect(throws: ModelTrainer.Failure.self) { try ModelTrainer(options: TrainingOptions()).train(empty) }
    }
}

@Suite struct InteractionMatrixTests {
    @Test func unitsAreSummedAndHotelsAreBlocks() {
        let data = TrainingData(
            items: [
                .init(id: "1", name: "a", hotel: "1", department: "1", price: 1000),
                .init(id: "2", name: "b", hotel: "1", department: "1", price: 1000),
                .init(id: "3", name: "c", hotel: "2", department: "1", price: 1000),
            ],
            guests: [.init(id: "10", latestHotel: "2"), .init(id: "11", latestHotel: "9")],
            interactions: [
                .init(guest: 0, item: 0, units: 1, orderedAt: 1), .init(guest: 0, item: 0, units: 2, orderedAt: 2),
                .init(guest: 1, item: 1, units: 1, orderedAt: 3), .init(guest: 0, item: 2, units: 1, orderedAt: 4),
            ],
            fingerprint: "x")
        let matrix = InteractionMatrix(data)
        #expect(matrix.hotelIDs == ["1", "2"])
        #expect(matrix.hotelItemRanges == [0..<2, 2..<3])
        #expect(matrix.userItems.values == [3, 1, 1])
        // Guest 11's latest hotel has no paid items: they keep the hotel they last ordered from.
        #expect(matrix.userHotel == [1, 0])
        #expect(matrix.hotelItemRanges[matrix.userHotel[0]] == 2..<3)
    }

    @Test func guestsWithOnlyFreeItemsGetAHotelButNoRow() {
        let data = TrainingData(
            items: [
                .init(id: "1", name: "a", hotel: "1", department: "1", price: 1000),
                .init(id: "2", name: "b", hotel: "2", department: "1", price: 1000),
            ],
            guests: [.init(id: "10", latestHotel: "1")],
            interactions: [.init(guest: 0, item: 0, units: 1, orderedAt: 1)],
            freeOnlyGuests: [.init(id: "11", latestHotel: "2"), .init(id: "12", latestHotel: "9")],
            freeInteractions: [
                .init(guest: 0, item: 1, units: 2, orderedAt: 2), .init(guest: 1, item: 0, units: 1, orderedAt: 3),
                .init(guest: 2, item: 1, units: 1, orderedAt: 4),
            ],
            fingerprint: "x")
        let matrix = InteractionMatrix(data)
        #expect(matrix.users == 1)
        #expect(matrix.userHotel == [0])
        // Guest 12's latest hotel has no paid items: they keep the hotel of their last free item.
        #expect(matrix.freeOnlyUserHotel == [1, 1])
        #expect(matrix.freeUserItems.rows == 3)
        #expect(matrix.freeUserItems.rowOffsets == [0, 1, 2, 3])
        #expect(matrix.freeUserItems.columnIndices == [1, 0, 1])
        #expect(matrix.freeUserItems.values == [2, 1, 1])
    }
}

@Suite struct CandidateChoiceTests {
    private func metrics(map: Double, precision: Double, ndcg: Double = 0.3) -> RankingMetrics {
        RankingMetrics(
            k: 10, precision: precision, meanAveragePrecision: map, ndcg: ndcg, auc: 0.7, coverage: 0.5, users: 100)
    }

    @Test func nearTiesInMAPAreDecidedByPrecision() {
        let results: [(candidate: CandidateModel, metrics: RankingMetrics)] = [
            (.popular(.distinctGuests), metrics(map: 0.150, precision: 0.60)),
            (.itemItem(neighbours: 50), metrics(map: 0.2000, precision: 0.40)),
            (.als(.init(factors: 16)), metrics(map: 0.1990, precision: 0.45)),
        ]
        #expect(ModelTrainer.best(results) == .als(.init(factors: 16)), "within 1% of the best MAP, precision decides")
        let clear: [(candidate: CandidateModel, metrics: RankingMetrics)] = [
            (.itemItem(neighbours: 50), metrics(map: 0.2100, precision: 0.40)),
            (.als(.init(factors: 16)), metrics(map: 0.2000, precision: 0.45)),
        ]
        #expect(ModelTrainer.best(clear) == .itemItem(neighbours: 50), "a clear MAP lead wins")
        let tied: [(candidate: CandidateModel, metrics: RankingMetrics)] = [
            (.als(.init(factors: 16)), metrics(map: 0.2, precision: 0.4)),
            (.popular(.distinctGuests), metrics(map: 0.2, precision: 0.4)),
        ]
        #expect(ModelTrainer.best(tied) == .popular(.distinctGuests), "a full tie goes to the simpler model")
    }

    @Test("every candidate is measured on the first cut, the leaders by MAP on the others too, chosen by their means")
    func leadersAreComparedOnSeveralCuts() {
        let training = SparseMatrix(
            rows: 30, columns: 12,
            entries: (0..<30).flatMap { user in (0..<6).map { .init(row: user, column: (user + 2 * $0) % 12, value: 1) }
            })
        let candidates: [CandidateModel] =
            [.popular(.distinctGuests), .itemItem(neighbours: 50)]
            + (1...9).map { .ease(.init(lambda: Double($0), input: .binary)) }
        // On the first cut the larger λ looks best; on every other cut the order reverses.
        var calls: [(candidates: [CandidateModel], validationItems: Int)] = []
        func map(of candidate: CandidateModel, cut: Int) -> Double {
            guard case .ease(let configuration) = candidate else { return 0.1 }
            return cut == 0 ? 0.2 + configuration.lambda / 100 : 0.3 - configuration.lambda / 100
        }
        let options = TrainingOptions(validationCuts: 3)
        let (chosen, validation) = ModelTrainer.select(candidates, training: training, options: options) {
            measured, _, validationSplit in
            let cut = calls.count
            calls.append((measured, validationSplit.nonZeroCount))
            return measured.map { metrics(map: map(of: $0, cut: cut), precision: 0.5) }
        }
        #expect(calls.count == 3)
        #expect(calls[0].candidates == candidates)
        let leaders = (2...9).map { CandidateModel.ease(.init(lambda: Double($0), input: .binary)) }
        #expect(calls[1].candidates == leaders.reversed() && calls[2].candidates == leaders.reversed())
        #expect(chosen == .ease(.init(lambda: 2, input: .binary)), "the best mean over the three cuts")
        #expect(validation.map(\.candidate) == candidates)
        #expect(abs(validation[3].metrics.meanAveragePrecision - (0.22 + 0.28 + 0.28) / 3) < 1e-12)
        #expect(abs(validation[2].metrics.meanAveragePrecision - 0.21) < 1e-12, "not a leader: its first cut's")
        #expect(
            ModelTrainer.validationCut(1, of: training, options: options).validation
                != ModelTrainer.validationCut(0, of: training, options: options).validation)

        calls = []
        let single = ModelTrainer.select(candidates, training: training, options: TrainingOptions(validationCuts: 1)) {
            measured, _, _ in
            calls.append((measured, 0))
            return measured.map { metrics(map: map(of: $0, cut: 0), precision: 0.5) }
        }
        #expect(calls.count == 1 && single.chosen == .ease(.init(lambda: 9, input: .binary)))
    }

    @Test("the best EASE and the best ALS are blended, each weight measured on every cut, and compete by the means")
    func blendsOfTheBestEASEAndALSCompete() {
        let training = SparseMatrix(
            rows: 30, columns: 12,
            entries: (0..<30).flatMap { user in (0..<6).map { .init(row: user, column: (user + 2 * $0) % 12, value: 1) }
            })
        let ease = EASE.Configuration(lambda: 3, input: .binary)
        let als = ImplicitALS.Configuration(factors: 16)
        let candidates: [CandidateModel] = [
            .popular(.distinctGuests), .ease(.init(lambda: 1, input: .binary)), .ease(ease),
            .als(.init(factors: 8)), .als(als),
        ]
        func map(of candidate: CandidateModel, cut: Int) -> Double {
            switch candidate {
            case .ease(let configuration): configuration.lambda == 3 ? 0.30 : 0.20
            case .als(let configuration): configuration.factors == 16 ? 0.29 : 0.10
            // The blend with weight 1 is best on average, though not on the first cut.
            case .easeALS(_, _, let weight): weight == 1 ? (cut == 0 ? 0.30 : 0.36) : 0.32
            default: 0.05
            }
        }
        var calls: [[CandidateModel]] = []
        var blendCuts: [SparseMatrix] = []
        let options = TrainingOptions(validationCuts: 3)
        let (chosen, validation) = ModelTrainer.select(
            candidates, training: training, options: options, blending: true
        ) { measured, _, validationSplit in
            let blending = measured.allSatisfy { $0.kind == .easeALS }
            if blending { blendCuts.append(validationSplit) }
            calls.append(measured)
            return measured.map { metrics(map: map(of: $0, cut: blending ? blendCuts.count - 1 : 0), precision: 0.5) }
        }
        let blends = ModelTrainer.blendWeights.map { CandidateModel.easeALS(ease, als, weight: $0) }
        #expect(ModelTrainer.blendCandidates(validation) == blends)
        #expect(calls.count == 6 && Array(calls[3...]) == [blends, blends, blends])
        #expect(blendCuts == (0..<3).map { ModelTrainer.validationCut($0, of: training, options: options).validation })
        #expect(validation.map(\.candidate) == candidates + blends, "the blends recorded after the grid")
        let one = validation.first { $0.candidate == .easeALS(ease, als, weight: 1) }!
        #expect(abs(one.metrics.meanAveragePrecision - 0.34) < 1e-12, "the mean over the three cuts")
        #expect(chosen == .easeALS(ease, als, weight: 1))

        let withoutBlending = ModelTrainer.select(candidates, training: training, options: options) { measured, _, _ in
            measured.map { metrics(map: map(of: $0, cut: 0), precision: 0.5) }
        }
        #expect(withoutBlending.validation.count == candidates.count && withoutBlending.chosen == .ease(ease))
        #expect(
            ModelTrainer.blendCandidates(validation.filter { $0.candidate.kind != .als }).isEmpty, "no ALS, no blend")
        let blend = CandidateModel.easeALS(ease, als, weight: 0.5)
        #expect(blend.kind == .easeALS && blend.hyperParameters["weight"] == 0.5)
        #expect(blend.hyperParameters["lambda"] == 3 && blend.hyperParameters["factors"] == 16)
    }

    @Test func metricsAverageMeasureByMeasure() {
        let mean = RankingMetrics.mean([
            metrics(map: 0.1, precision: 0.2, ndcg: 0.3), metrics(map: 0.3, precision: 0.4),
        ])
        #expect(abs(mean.meanAveragePrecision - 0.2) < 1e-12 && abs(mean.precision - 0.3) < 1e-12)
        #expect(abs(mean.ndcg - 0.3) < 1e-12 && mean.users == 100 && mean.k == 10)
    }
}
