public import ConciergeData
public import ConciergeModel
public import ConciergeModelFormat

/// Turns the feature store's training data into a model version by nested selection. The selection procedure
/// (`select`: candidates compared on validation cuts) runs twice: on the training part (all data less a holdout),
/// whose choice is refitted there and measured on the holdout, which estimates the procedure; and on all the data,
/// whose choice is refitted on everything and served.
public struct ModelTrainer: Sendable {
    public let options: TrainingOptions

    public init(options: TrainingOptions) {
        self.options = options
    }

    public struct Outcome: Sendable {
        public var artifacts: ModelArtifacts
        /// The served model: the procedure's choice on all data.
        public var chosen: CandidateModel
        /// The model the holdout measured: the procedure's choice on the training part (all data less the holdout).
        public var holdoutChoice: CandidateModel
        /// Each candidate with its metrics on the validation cuts of all data (the served model's selection), in the
        /// order they were tried.
        public var validation: [(candidate: CandidateModel, metrics: RankingMetrics)]
        /// `holdoutChoice`'s and each baseline's metrics on the holdout, fitted on the training part.
        public var holdout: [(candidate: CandidateModel, metrics: RankingMetrics)]
    }

    public enum Failure: Error, CustomStringConvertible {
        case noInteractions
        case tooFewGuests(Int)

        public var description: String {
            switch self {
            case .noInteractions:
                "the feature store holds no COMPLETE order of a paid item: nothing to learn from"
            case .tooFewGuests(let count):
                "only \(count) guest(s) ordered more than one item: at least 2 are needed to hold items out and measure"
            }
        }
    }

    public func train(_ data: TrainingData, progress: (TrainingEvent) -> Void = { _ in }) throws -> Outcome {
        guard !data.interactions.isEmpty else { throw Failure.noInteractions }
        let matrix = InteractionMatrix(data)
        let guestsWithSeveralItems = (0..<matrix.users).count { matrix.userItems.rowRange($0).count > 1 }
        guard guestsWithSeveralItems >= 2 else { throw Failure.tooFewGuests(guestsWithSeveralItems) }

        let (training, holdout) = TrainTestSplit.split(
            matrix.userItems, testFraction: options.holdout, seed: options.seed)
        let easeNotice = easeExclusion(blocks: matrix.hotelItemRanges, hotelIDs: matrix.hotelIDs)
        if let easeNotice { progress(.notice(easeNotice)) }

        // Nested selection. The holdout can only measure a model that never saw it, so it measures the procedure:
        // its choice on cuts of the training part, refitted there. The served model is the same procedure's choice
        // on cuts of all the data: its candidates are fitted on 80 % of what it is refitted on rather than 64 %, and
        // the best regularisation (EASE's λ, ALS's) shrinks as data grows, so a choice made on less data is
        // regularised too strongly for the refit. The two choices differ only where candidates are close.
        let estimate = try choose(
            on: training, named: "training part", matrix: matrix, withoutEASE: easeNotice != nil, progress: progress)
        let served = try choose(
            on: matrix.userItems, named: "all data", matrix: matrix, withoutEASE: easeNotice != nil,
            progress: progress)
        let measured = estimate.chosen
        // The Spark winners are refitted, one for the holdout and one on all data, in one more job.
        let (refits, sparkRun) = try sparkFits(
            [(measured, training), (served.chosen, matrix.userItems)], progress: progress)

        let fallback = estimate.fallback
        let baselines = [measured, .itemItem(neighbours: options.neighbours), .popular(fallback)].reduce(
            into: [CandidateModel]()
        ) {
            if !$0.contains($1) { $0.append($1) }
        }
        progress(.stage(name: "measuring on the holdout", steps: baselines.count))
        var holdoutResults: [(candidate: CandidateModel, metrics: RankingMetrics)] = []
        var hotelResults: [RankingMetrics] = []
        for candidate in baselines {
            let fitted = FittedModel(
                candidate, on: training, matrix: matrix, threads: options.threads,
                sparkFit: candidate == measured ? refits[0] : nil, fallback: fallback)
            let metrics = fitted.evaluate(on: holdout, cutoff: options.cutoff)
            if candidate == measured {
                hotelResults = fitted.evaluateByHotel(on: holdout, cutoff: options.cutoff, matrix: matrix)
            }
            holdoutResults.append((candidate, metrics))
            progress(
                .step(
                    detail: "\(candidate): MAP@\(options.cutoff) \(Self.format(metrics.meanAveragePrecision))",
                    loss: nil))
        }

        // The final fit reports its loss per iteration: the one run worth watching converge.
        var refit = served.chosen
        var iterations = 1
        if case .als(var configuration) = served.chosen {
            configuration.computeLoss = true
            refit = .als(configuration)
            iterations = configuration.iterations
        }
        progress(.stage(name: "fitting \(served.chosen) on all data", steps: iterations))
        var losses: [Double] = []
        let final = FittedModel(
            refit, on: matrix.userItems, matrix: matrix, threads: options.threads, sparkFit: refits[1],
            fallback: served.fallback
        ) { iteration in
            if let loss = iteration.loss { losses.append(loss) }
            progress(.step(detail: "iteration \(iteration.iteration)", loss: iteration.loss))
        }
        if case .als = refit {} else { progress(.step(detail: "done", loss: nil)) }

        var artifacts = makeArtifacts(
            data: data, matrix: matrix, final: final, sparkRun: sparkRun, validation: served.validation,
            holdout: holdoutResults)
        artifacts.dataSeen = .init(
            guests: data.guests.count, items: data.items.count, orderLines: data.interactions.count,
            quarantinedRows: data.quarantinedRows)
        artifacts.lossHistory = losses.isEmpty ? nil : losses
        artifacts.holdoutModel = measured.description
        artifacts.hotelMetrics = Dictionary(
            uniqueKeysWithValues: zip(matrix.hotelIDs, hotelResults.map { metricDictionary($0) }))
        return Outcome(
            artifacts: artifacts, chosen: served.chosen, holdoutChoice: measured, validation: served.validation,
            holdout: holdoutResults)
    }

    /// One run of the selection procedure on `data` (the training part, or all data): the grid compared on its
    /// validation cuts by `select`, with the popularity measure that validated best as every other kind's fallback.
    /// `name` prefixes the run's progress stages.
    func choose(
        on data: SparseMatrix, named name: String, matrix: InteractionMatrix, withoutEASE: Bool,
        progress: (TrainingEvent) -> Void
    ) throws -> (
        chosen: CandidateModel, validation: [(candidate: CandidateModel, metrics: RankingMetrics)],
        fallback: Popularity.Measure
    ) {
        var candidates = engineCandidates(fittedOn: Self.validationCut(0, of: data, options: options).fitting)
        if withoutEASE { candidates.removeAll { $0.kind == .ease } }
        // Popularity comes first in the grid: its winning measure is every other candidate's fallback.
        var fallback = Popularity.Measure.distinctGuests
        var cut = 0
        var blendCut = 0
        let (chosen, validation) = try Self.select(candidates, training: data, options: options, blending: true) {
            candidates, fitting, validation in
            let blending = candidates.allSatisfy { $0.kind == .easeALS }
            if blending { blendCut += 1 } else { cut += 1 }
            let (fits, _) = try sparkFits(candidates.map { ($0, fitting) }, progress: progress)
            progress(
                .stage(
                    name: blending
                        ? "\(name): blending EASE and ALS on validation cut \(blendCut) of \(options.validationCuts)"
                        : cut == 1
                            ? "\(name): comparing candidates"
                            : "\(name): comparing the leaders on validation cut \(cut) of \(options.validationCuts)",
                    steps: candidates.count))
            var results: [(candidate: CandidateModel, metrics: RankingMetrics)] = []
            // Blends that differ only in their weight share one fit of EASE and one of ALS.
            var blendParts: [CandidateModel: (als: ALSModel, easeWeights: [Float])] = [:]
            for (candidate, sparkFit) in zip(candidates, fits) {
                if candidate.kind != .popular, cut == 1, !blending {
                    fallback = Self.bestPopularity(results) ?? fallback
                }
                let fitted: FittedModel
                if case .easeALS(let ease, let als, _) = candidate {
                    let key = CandidateModel.easeALS(ease, als, weight: 0)
                    let parts =
                        blendParts[key]
                        ?? FittedModel.blendParts(
                            ease, als, on: fitting, blocks: matrix.hotelItemRanges, threads: options.threads)
                    blendParts[key] = parts
                    fitted = FittedModel(
                        blend: candidate, parts: parts, on: fitting, matrix: matrix, threads: options.threads,
                        fallback: fallback)
                } else {
                    fitted = FittedModel(
                        candidate, on: fitting, matrix: matrix, threads: options.threads, sparkFit: sparkFit,
                        fallback: fallback)
                }
                let metrics = fitted.evaluate(on: validation, cutoff: options.cutoff)
                results.append((candidate, metrics))
                progress(
                    .step(
                        detail: "\(candidate): MAP@\(options.cutoff) \(Self.format(metrics.meanAveragePrecision))",
                        loss: nil))
            }
            return results.map(\.metrics)
        }
        return (chosen, validation, Self.bestPopularity(validation) ?? fallback)
    }

    /// EASE's λ when tuning: four orders of magnitude, from barely regularised to close to popularity, in steps of
    /// about √10. Validation quality is smooth in λ and its peak is broad but can fall anywhere between two decades
    /// (Steck's best λ are a few hundred); a step of 10 can miss it by a factor of 3.
    public static let easeLambdas: [Double] = [1, 3, 10, 30, 100, 300, 1_000, 3_000, 10_000]

    /// The grid: popularity by distinct guests and by units, item-item, then (when tuning) EASE over
    /// `easeLambdas` with binary and unit-count X, then the given ALS settings, plus (when tuning) a few factor
    /// counts, regularizations and alphas that suit menus of tens to hundreds of items.
    public func candidateModels() -> [CandidateModel] {
        func unique<T: Comparable & Hashable>(_ values: [T]) -> [T] { Array(Set(values)).sorted() }
        let factors = options.tune ? unique([16, 32, 64, options.factors]) : [options.factors]
        let regularizations: [Float] =
            options.tune ? unique([0.01, 0.1, 1, 10, options.regularization]) : [options.regularization]
        let alphas: [Float] = options.tune ? unique([1, 10, 40, options.alpha]) : [options.alpha]
        var candidates: [CandidateModel] = [
            .popular(.distinctGuests), .popular(.totalUnits), .itemItem(neighbours: options.neighbours),
        ]
        if options.tune {
            for input in EASE.Input.allCases {
                for lambda in Self.easeLambdas {
                    candidates.append(.ease(EASE.Configuration(lambda: lambda, input: input)))
                }
            }
        }
        for factorCount in factors {
            for regularization in regularizations {
                for alpha in alphas {
                    candidates.append(
                        .als(
                            ImplicitALS.Configuration(
                                factors: factorCount, regularization: regularization, alpha: alpha,
                                iterations: options.iterations, seed: options.seed, threads: options.threads,
                                confidence: .linear, computeLoss: false)))
                }
            }
        }
        return candidates
    }

    /// Why EASE cannot compete, when a hotel's menu is past `easeItemLimit`: the line the run logs.
    func easeExclusion(blocks: [Range<Int>], hotelIDs: [String]) -> String? {
        guard let largest = blocks.indices.max(by: { blocks[$0].count < blocks[$1].count }),
            blocks[largest].count > options.easeItemLimit
        else { return nil }
        return "EASE left out: hotel \(hotelIDs[largest]) has \(blocks[largest].count) items, above the limit of "
            + "\(options.easeItemLimit); choosing among the other candidates"
    }

    /// The measure of the popularity candidate that validated best, if any was measured.
    static func bestPopularity(_ results: [(candidate: CandidateModel, metrics: RankingMetrics)]) -> Popularity.Measure?
    {
        let popular = results.filter { $0.candidate.kind == .popular }
        guard !popular.isEmpty, case .popular(let measure) = best(popular) else { return nil }
        return measure
    }

    /// `candidateModels()` in the engine's terms: on Spark, each ALS grid point becomes Spark's parameters for
    /// `data`, the split the grid is fitted on (`SparkALSParameters` says how).
    private func engineCandidates(fittedOn data: SparseMatrix) -> [CandidateModel] {
        guard case .spark = options.engine else { return candidateModels() }
        let guests = (0..<data.rows).count { !data.rowRange($0).isEmpty }
        let meanItemsPerGuest = Double(data.nonZeroCount) / Double(max(guests, 1))
        return candidateModels().map { candidate in
            guard case .als(let configuration) = candidate else { return candidate }
            return .sparkALS(SparkALSParameters(configuration, meanItemsPerGuest: meanItemsPerGuest))
        }
    }

    /// Fits the Spark candidates among `requests` in one Spark job, so that the JVM starts once per stage; the
    /// other requests get nil and are fitted in process. No job runs when there is nothing for Spark.
    private func sparkFits(
        _ requests: [(candidate: CandidateModel, data: SparseMatrix)], progress: (TrainingEvent) -> Void
    ) throws(SparkJob.Failure) -> (fits: [ALSModel?], run: SparkJob.Run?) {
        var fits: [ALSModel?] = Array(repeating: nil, count: requests.count)
        guard case .spark(let job) = options.engine else { return (fits, nil) }
        var datasets: [SparseMatrix] = []
        var jobFits: [SparkJob.Fit] = []
        var requestOfFit: [Int] = []
        for (index, request) in requests.enumerated() {
            guard case .sparkALS(let parameters) = request.candidate else { continue }
            let dataset = datasets.firstIndex(of: request.data) ?? datasets.count
            if dataset == datasets.count { datasets.append(request.data) }
            jobFits.append(SparkJob.Fit(parameters, on: dataset))
            requestOfFit.append(index)
        }
        guard !jobFits.isEmpty else { return (fits, nil) }
        progress(.stage(name: "fitting \(jobFits.count) ALS model(s) on Spark (\(job.master))", steps: 1))
        let (models, run) = try job.fit(jobFits, datasets: datasets)
        for (model, index) in zip(models, requestOfFit) { fits[index] = model }
        progress(.step(detail: "Spark \(run.sparkVersion) on \(run.master)", loss: nil))
        return (fits, run)
    }

    /// The candidates with the best MAP on the first validation cut, measured again on the other cuts.
    public static let finalists = 8

    /// ALS's weights in the EASE-ALS blends (EASE's is one, both scores divided by their standard deviation over the
    /// hotel). On MovieLens 100K and the planted matrix validation chose 0.5 to 2.
    public static let blendWeights: [Double] = [0.25, 0.5, 0.75, 1, 1.5, 2, 3]

    /// The EASE-ALS blends of the best EASE and the best native ALS among `results`, one per weight of
    /// `blendWeights`; none unless both kinds were measured.
    public static func blendCandidates(
        _ results: [(candidate: CandidateModel, metrics: RankingMetrics)]
    )
        -> [CandidateModel]
    {
        let eases = results.filter { $0.candidate.kind == .ease }
        let alses = results.filter { if case .als = $0.candidate { true } else { false } }
        guard !eases.isEmpty, !alses.isEmpty, case .ease(let ease) = best(eases), case .als(let als) = best(alses)
        else { return [] }
        return blendWeights.map { .easeALS(ease, als, weight: $0) }
    }

    /// Cut `index` of the validation splits of `training`: the first is the one every candidate is measured on.
    public static func validationCut(
        _ index: Int, of training: SparseMatrix, options: TrainingOptions
    ) -> (fitting: SparseMatrix, validation: SparseMatrix) {
        let cut = TrainTestSplit.split(
            training, testFraction: options.validation, seed: options.seed &+ 1 &+ UInt64(index))
        return (cut.train, cut.test)
    }

    /// Chooses among `candidates` by `best`: each is measured on the first validation cut of `training` (`measure`
    /// fits the candidates it is given on `fitting` and returns their metrics on `validation`, in order), then the
    /// `finalists` best by MAP on `options.validationCuts − 1` more cuts, and chosen by their means. One cut of a
    /// few thousand held-out items ranks close candidates by its noise: on MovieLens 100K four seeds' single cuts
    /// chose EASE at λ 300, 1,000 and 3,000 and an ALS, whose holdout P@10 ranged from 0.396 to 0.442.
    ///
    /// With `blending`, the blends of the best EASE and the best ALS so measured (`blendCandidates`) are measured on
    /// every cut too and compete with the finalists.
    ///
    /// Returns the choice and every candidate's validation metrics, in the candidates' order, then the blends': the
    /// finalists' and the blends' the means over the cuts, the others' the first cut's.
    public static func select(
        _ candidates: [CandidateModel], training: SparseMatrix, options: TrainingOptions, blending: Bool = false,
        measure: (
            _ candidates: [CandidateModel], _ fitting: SparseMatrix, _ validation: SparseMatrix
        ) throws -> [RankingMetrics]
    ) rethrows -> (chosen: CandidateModel, validation: [(candidate: CandidateModel, metrics: RankingMetrics)]) {
        let first = validationCut(0, of: training, options: options)
        var results = Array(zip(candidates, try measure(candidates, first.fitting, first.validation)))
            .map { (candidate: $0.0, metrics: $0.1) }
        let finalists = results.indices.sorted {
            results[$0].metrics.meanAveragePrecision > results[$1].metrics.meanAveragePrecision
        }.prefix(Self.finalists)
        var compared = Array(results.indices)
        if options.validationCuts > 1 && finalists.count > 1 {
            var cuts = [finalists.map { results[$0].metrics }]
            for index in 1..<options.validationCuts {
                let cut = validationCut(index, of: training, options: options)
                cuts.append(try measure(finalists.map { results[$0].candidate }, cut.fitting, cut.validation))
            }
            for (position, finalist) in finalists.enumerated() {
                results[finalist].metrics = RankingMetrics.mean(cuts.map { $0[position] })
            }
            compared = Array(finalists)
        }
        let blends = blending ? blendCandidates(results) : []
        if !blends.isEmpty {
            var cuts = [try measure(blends, first.fitting, first.validation)]
            for index in 1..<max(1, options.validationCuts) {
                let cut = validationCut(index, of: training, options: options)
                cuts.append(try measure(blends, cut.fitting, cut.validation))
            }
            for (position, blend) in blends.enumerated() {
                compared.append(results.count)
                results.append((blend, RankingMetrics.mean(cuts.map { $0[position] })))
            }
        }
        return (best(compared.map { results[$0] }), results)
    }

    /// The best MAP@k on the validation split; among candidates within 1% of it, the highest
    /// precision, then NDCG, then the simpler model, then the earlier one.
    public static func best(_ results: [(candidate: CandidateModel, metrics: RankingMetrics)]) -> CandidateModel {
        // Gaps in MAP smaller than this share of the best are below a validation split's noise; among
        // candidates that close, precision, then NDCG, says more about what a guest is shown.
        let tolerance = 0.01
        let bestMAP = results.map(\.metrics.meanAveragePrecision).max() ?? 0
        return results.filter { $0.metrics.meanAveragePrecision >= bestMAP * (1 - tolerance) }.min { left, right in
            if left.metrics.precision != right.metrics.precision {
                return left.metrics.precision > right.metrics.precision
            }
            if left.metrics.ndcg != right.metrics.ndcg { return left.metrics.ndcg > right.metrics.ndcg }
            return left.candidate.simplicity < right.candidate.simplicity
        }!.candidate
    }

    private func makeArtifacts(
        data: TrainingData, matrix: InteractionMatrix, final: FittedModel, sparkRun: SparkJob.Run?,
        validation: [(candidate: CandidateModel, metrics: RankingMetrics)],
        holdout: [(candidate: CandidateModel, metrics: RankingMetrics)]
    ) -> ModelArtifacts {
        let blocks = matrix.hotelItemRanges
        let neighbours =
            if let als = final.alsModel {
                ItemSimilarity.cosine(
                    itemFactors: als.itemFactors, blocks: blocks, neighbours: options.neighbours,
                    threads: options.threads)
            } else {
                ItemSimilarity.cosine(
                    userItems: matrix.userItems, blocks: blocks, neighbours: options.neighbours,
                    threads: options.threads)
            }
        let hotelIndex = Dictionary(uniqueKeysWithValues: matrix.hotelIDs.enumerated().map { ($1, $0) })
        var metrics = metricDictionary(holdout[0].metrics)
        for (candidate, result) in holdout.dropFirst() {
            metrics.merge(metricDictionary(result, baseline: candidate.kind.rawValue)) { $1 }
        }
        var hyperParameters = final.candidate.hyperParameters
        if case .sparkALS = final.candidate, let sparkRun {
            hyperParameters["spark.version"] = .string(sparkRun.sparkVersion)
            hyperParameters["spark.master"] = .string(sparkRun.master)
        } else {
            hyperParameters["engine"] = "native"
        }
        hyperParameters["neighbours"] = .number(Double(options.neighbours))
        hyperParameters["holdout"] = .number(options.holdout)
        hyperParameters["validation"] = .number(options.validation)
        // Guests who only got free items follow the trained ones: known to serving, with a hotel and their free
        // items as seen, but with an empty history and zero factors, so they are served as new guests.
        let freeOnlyGuests = matrix.freeOnlyUserHotel.count
        let userItems = SparseMatrix(
            rows: matrix.users + freeOnlyGuests, columns: matrix.items,
            rowOffsets: matrix.userItems.rowOffsets
                + Array(repeating: matrix.userItems.nonZeroCount, count: freeOnlyGuests),
            columnIndices: matrix.userItems.columnIndices, values: matrix.userItems.values)
        let userFactors = final.alsModel.map {
            DenseMatrix(
                rows: $0.userFactors.rows + freeOnlyGuests, columns: $0.userFactors.columns,
                values: $0.userFactors.values + Array(repeating: 0, count: freeOnlyGuests * $0.userFactors.columns))
        }
        return ModelArtifacts(
            kind: final.candidate.kind,
            userIDs: (data.guests + data.freeOnlyGuests).map(\.id),
            itemIDs: data.items.map(\.id),
            items: data.items.map {
                ItemMetadata(
                    name: $0.name, hotel: hotelIndex[$0.hotel]!, department: $0.department, price: Double($0.price))
            },
            hotelIDs: matrix.hotelIDs,
            hotelItemRanges: blocks,
            userHotel: matrix.userHotel + matrix.freeOnlyUserHotel,
            userFactors: userFactors,
            itemFactors: final.alsModel?.itemFactors,
            userItems: userItems,
            userFreeItems: matrix.freeUserItems.nonZeroCount > 0 ? matrix.freeUserItems : nil,
            itemNeighbours: neighbours,
            popularity: final.popularity.scores,
            easeWeights: final.easeWeights,
            hyperParameters: hyperParameters,
            metrics: metrics,
            candidates: validation.map {
                ModelCandidate(
                    kind: $0.candidate.kind, hyperParameters: $0.candidate.hyperParameters,
                    metrics: metricDictionary($0.metrics), name: $0.candidate.description)
            },
            dataFingerprint: data.fingerprint)
    }

    /// The manifest's spelling of `metrics`; a baseline's keys carry its name (`popular.map@10`).
    private func metricDictionary(_ metrics: RankingMetrics, baseline: String? = nil) -> [String: Double] {
        let prefix = baseline.map { $0 + "." } ?? ""
        func key(_ measure: ModelMetric.Measure) -> String {
            ModelMetric(measure, at: metrics.k, baseline: baseline).key
        }
        return [
            key(.precision): metrics.precision, key(.meanAveragePrecision): metrics.meanAveragePrecision,
            key(.ndcg): metrics.ndcg, prefix + "auc": metrics.auc, prefix + "coverage": metrics.coverage,
            prefix + "evaluated_users": Double(metrics.users),
        ]
    }

    static func format(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded() / 10_000
        return String(scaled)
    }
}
