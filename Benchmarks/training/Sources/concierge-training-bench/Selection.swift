// The product's model selection, as ConciergeTraining's ModelTrainer does it: candidates
// compared by MAP@10 on a validation split cut from the training part only, the best refitted
// on the whole training part and measured on the holdout, with item-item and popularity
// measured beside it. ConciergeTraining is not a library product of the root package, so
// this is a copy of ModelTrainer.candidateModels, ModelTrainer.best and FittedModel; the
// shell script checks it against `concierge train` on the sample data.
import ConciergeModel

enum Candidate: Hashable, CustomStringConvertible {
    case als(ImplicitALS.Configuration)
    case itemItem(neighbours: Int)
    case popular

    /// ModelTrainer's tie-break: simpler models win ties.
    var simplicity: Int {
        switch self {
        case .popular: 0
        case .itemItem: 1
        case .als: 2
        }
    }

    var description: String {
        switch self {
        case .als(let configuration):
            "als(factors \(configuration.factors), regularization \(configuration.regularization), alpha \(configuration.alpha))"
        case .itemItem(let neighbours): "item-item(cosine, \(neighbours) neighbours)"
        case .popular: "popular"
        }
    }

    var json: [String: Any] {
        switch self {
        case .als(let configuration):
            [
                "kind": "als", "factors": configuration.factors, "regularization": Double(configuration.regularization),
                "alpha": Double(configuration.alpha), "iterations": configuration.iterations,
                "cg_steps": configuration.cgSteps, "seed": configuration.seed,
                "confidence": configuration.confidence == .linear ? "linear" : "implicit", "description": description,
            ]
        case .itemItem(let neighbours): ["kind": "item-item", "neighbours": neighbours, "description": description]
        case .popular: ["kind": "popular", "description": description]
        }
    }

    /// FittedModel.init: trains the candidate on `matrix`; item-item neighbours stay within the scope's blocks.
    func fit(on matrix: SparseMatrix, scope: Scope, threads: Int) -> Ranker {
        switch self {
        case .als(let configuration):
            Ranker(.als(ImplicitALS(configuration: configuration).fit(userItems: matrix)), trainedOn: matrix, scope: scope)
        case .itemItem(let neighbours):
            Ranker(
                .itemItem(ItemItemModel(similarity: ItemSimilarity.cosine(
                    userItems: matrix, blocks: scope.blocks, neighbours: neighbours, threads: threads))),
                trainedOn: matrix, scope: scope)
        case .popular:
            Ranker(.popular, trainedOn: matrix, scope: scope)
        }
    }
}

/// TrainingOptions' defaults, which `concierge train` uses unless told otherwise.
struct SelectionOptions {
    var factors = 64
    var iterations = 15
    var regularization: Float = 0.01
    var alpha: Float = 1
    var seed: UInt64 = 42
    var holdout = 0.2
    var validation = 0.2
    var neighbours = 50
    var threads = 2
    var cutoff = 10

    /// ModelTrainer.candidateModels with `tune` on.
    func candidates() -> [Candidate] {
        func unique<T: Comparable & Hashable>(_ values: [T]) -> [T] { Array(Set(values)).sorted() }
        var candidates: [Candidate] = [.popular, .itemItem(neighbours: neighbours)]
        for factorCount in unique([16, 32, 64, factors]) {
            for regularization in unique([0.01, 0.1, 1, 10, regularization]) {
                for alpha in unique([1, 10, 40, alpha]) {
                    candidates.append(.als(ImplicitALS.Configuration(
                        factors: factorCount, regularization: regularization, alpha: alpha, iterations: iterations,
                        seed: seed, threads: threads, confidence: .linear, computeLoss: false)))
                }
            }
        }
        return candidates
    }

    /// ModelTrainer.best: among candidates within 1% of the best validation MAP, the highest precision, then NDCG,
    /// then the simpler model, then the earlier one.
    static func best(_ results: [(candidate: Candidate, metrics: RankingMetrics)]) -> Candidate {
        // Gaps in MAP smaller than this share of the best are below a validation split's noise; among
        // candidates that close, precision, then NDCG, says more about what a guest is shown.
        let tolerance = 0.01
        let bestMAP = results.map(\.metrics.meanAveragePrecision).max() ?? 0
        return results.filter { $0.metrics.meanAveragePrecision >= bestMAP * (1 - tolerance) }.min { left, right in
            if left.metrics.precision != right.metrics.precision { return left.metrics.precision > right.metrics.precision }
            if left.metrics.ndcg != right.metrics.ndcg { return left.metrics.ndcg > right.metrics.ndcg }
            return left.candidate.simplicity < right.candidate.simplicity
        }!.candidate
    }
}

/// `select --data DIR --scope catalogue|hotel`: runs the selection on fit.csv / validation.csv
/// (cut from train.csv by `split`), refits the chosen candidate, item-item and popularity on
/// train.csv, measures them on test.csv, saves them as models/concierge-{selected,itemitem}-SCOPE
/// and writes selection-SCOPE.json.
func select(data: DataSet, scope: Scope, options: SelectionOptions) throws {
    let train = try data.matrix("train"), test = try data.matrix("test")
    let fit = try data.matrix("fit"), validation = try data.matrix("validation")
    let started = ContinuousClock.now

    var validationResults: [(candidate: Candidate, metrics: RankingMetrics)] = []
    for candidate in options.candidates() {
        let metrics = candidate.fit(on: fit, scope: scope, threads: options.threads)
            .evaluate(on: validation, k: options.cutoff)
        validationResults.append((candidate, metrics))
    }
    let chosen = SelectionOptions.best(validationResults)
    let selectionSeconds = seconds(ContinuousClock.now - started)

    var holdout: [[String: Any]] = []
    for (name, candidate) in [("selected", chosen), ("itemitem", .itemItem(neighbours: options.neighbours))] {
        let (ranker, fitSeconds) = timed { candidate.fit(on: train, scope: scope, threads: options.threads) }
        try ranker.save(as: "concierge-\(name)-\(scope.name)", in: data)
        holdout.append([
            "model": "concierge-\(name)-\(scope.name)", "candidate": candidate.json, "fit_seconds": fitSeconds,
            "metrics": json(ranker.evaluate(on: test, k: options.cutoff)),
        ])
    }
    let popular = Candidate.popular.fit(on: train, scope: scope, threads: options.threads)
    holdout.append([
        "model": "popularity", "candidate": Candidate.popular.json, "metrics": json(popular.evaluate(on: test, k: options.cutoff)),
    ])

    try writeJSON(
        [
            "scope": scope.name, "chosen": chosen.json, "selection_seconds": selectionSeconds,
            "validation": validationResults.map { ["candidate": $0.candidate.json, "metrics": json($0.metrics)] },
            "holdout": holdout,
        ] as [String: Any],
        to: data.path("selection-\(scope.name).json"))
    log("\(data.directory) \(scope.name): chose \(chosen) in \(format(selectionSeconds)) s; holdout MAP@\(options.cutoff) "
        + "\(format((holdout[0]["metrics"] as! [String: Double])["map"]!))")
}
