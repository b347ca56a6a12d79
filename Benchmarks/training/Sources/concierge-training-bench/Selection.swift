// The product's model selection, with ModelTrainer's own candidates and choice (`ModelTrainer.select`):
// candidates compared by MAP@10 on validation cuts of the training part only, the best refitted
// on the whole training part and measured on the holdout, with item-item and popularity
// measured beside it. This is the inner run of `concierge train`'s nested selection, the one its
// holdout figures come from (it serves the same procedure's choice on all its data, which needs no
// test split and is not run here). Fitting is done here because the trainer's FittedModel needs the feature
// store's hotel catalogue, and these data sets are bare matrices with a scope of blocks; the
// shell script checks the outcome against `concierge train` on the sample data.
import ConciergeModel
import ConciergeTraining

extension CandidateModel {
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
        case .ease(let configuration):
            [
                "kind": "ease", "lambda": configuration.lambda, "input": configuration.input.rawValue,
                "description": description,
            ]
        case .popular(let measure): ["kind": "popular", "measure": measure.name, "description": description]
        case .sparkALS: ["kind": "spark-als", "description": description]
        case .easeALS(let ease, let als, let weight):
            [
                "kind": "ease-als", "lambda": ease.lambda, "input": ease.input.rawValue, "factors": als.factors,
                "regularization": Double(als.regularization), "alpha": Double(als.alpha), "weight": weight,
                "description": description,
            ]
        }
    }

    /// FittedModel.init on a bare matrix: item-item neighbours stay within the scope's blocks.
    func fit(on matrix: SparseMatrix, scope: Scope, threads: Int) -> ScopedModel {
        switch self {
        case .als(let configuration):
            ScopedModel(
                .als(ImplicitALS(configuration: configuration).fit(userItems: matrix)), trainedOn: matrix, scope: scope)
        case .itemItem(let neighbours):
            ScopedModel(
                .itemItem(
                    similarity: ItemSimilarity.cosine(
                        userItems: matrix, blocks: scope.blocks, neighbours: neighbours, threads: threads)),
                trainedOn: matrix, scope: scope)
        case .ease(let configuration):
            ScopedModel(
                .ease(
                    weights: Self.fullMatrix(
                        EASE(userItems: matrix, blocks: scope.blocks, configuration: configuration, threads: threads)),
                    input: configuration.input),
                trainedOn: matrix, scope: scope)
        case .popular(let measure):
            ScopedModel(.popular(measure), trainedOn: matrix, scope: scope)
        case .sparkALS:
            preconditionFailure("the benchmark fits natively")
        case .easeALS:
            preconditionFailure("the benchmark's selection does not blend (ModelTrainer.select without blending)")
        }
    }

    /// EASE's blocks spread over one items × items matrix, zero between blocks.
    static func fullMatrix(_ ease: EASE) -> DenseMatrix {
        let items = ease.blocks.last?.upperBound ?? 0
        var full = DenseMatrix(rows: items, columns: items)
        var start = 0
        for block in ease.blocks {
            let n = block.count
            for row in 0..<n {
                for column in 0..<n {
                    full[block.lowerBound + row, block.lowerBound + column] = ease.weights[start + row * n + column]
                }
            }
            start += n * n
        }
        return full
    }
}

/// `select --data DIR --scope catalogue|hotel`: runs `concierge train`'s selection (`ModelTrainer.select`) on
/// train.csv: every candidate on its first validation cut (the one `split` writes as fit.csv / validation.csv),
/// the leaders on more cuts; refits the chosen candidate, item-item and popularity on
/// train.csv, measures them on test.csv, saves them as models/concierge-{selected,itemitem}-SCOPE
/// and writes selection-SCOPE.json.
func select(data: DataSet, scope: Scope, options: TrainingOptions) throws {
    let train = try data.matrix("train"), test = try data.matrix("test")
    let started = ContinuousClock.now

    let (chosen, validationResults) = ModelTrainer.select(
        ModelTrainer(options: options).candidateModels(), training: train, options: options
    ) { candidates, fitting, validation in
        candidates.map {
            $0.fit(on: fitting, scope: scope, threads: options.threads).evaluate(on: validation, k: options.cutoff)
        }
    }
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
    let popular = CandidateModel.popular(.distinctGuests).fit(on: train, scope: scope, threads: options.threads)
    holdout.append([
        "model": "popularity", "candidate": CandidateModel.popular(.distinctGuests).json,
        "metrics": json(popular.evaluate(on: test, k: options.cutoff)),
    ])

    try writeJSON(
        [
            "scope": scope.name, "chosen": chosen.json, "selection_seconds": selectionSeconds,
            "validation": validationResults.map { ["candidate": $0.candidate.json, "metrics": json($0.metrics)] },
            "holdout": holdout,
        ] as [String: Any],
        to: data.path("selection-\(scope.name).json"))
    log(
        "\(data.directory) \(scope.name): chose \(chosen) in \(format(selectionSeconds)) s; holdout MAP@\(options.cutoff) "
            + "\(format((holdout[0]["metrics"] as! [String: Double])["map"]!))")
}
