// The Swift half of compare_implicit.sh: splits a data set the product's way, trains
// ConciergeModel's models (timed one fit per process, so that compare_implicit.py can
// interleave them with implicit's), runs the product's model selection, and scores every saved
// model with ConciergeModel's RankingMetrics.
import ConciergeModel
import ConciergeTraining
import Foundation

let usage = """
    usage: concierge-training-bench COMMAND --data DIR [OPTIONS]
      split     [--seed 42 --test-fraction 0.2 --validation-fraction 0.2]
                interactions.csv -> train.csv + test.csv (TrainTestSplit, seed), and train.csv ->
                fit.csv + validation.csv (seed + 1), as ModelTrainer cuts its holdout and validation
      als       --factors F --regularization R --alpha A --iterations I --cg-steps C
                --confidence implicit|linear --threads T --seed S [--matrix train] [--save NAME]
                one ImplicitALS fit; prints its wall time in seconds
      cosine    --neighbours N --threads T [--save NAME]
                one ItemSimilarity.cosine fit on train.csv (whole catalogue); prints its wall time
      select    --scope catalogue|hotel    the product's model selection (Selection.swift)
      evaluate  --scope catalogue|hotel    RankingMetrics@10 of every model in models/ on test.csv
                -> concierge-eval-SCOPE.json
      same-start                           ALS half-steps from implicit's initial factors
    or: concierge-training-bench kernels
    or: concierge-training-bench ease-fit --items 100,1000,5000 --threads 2
                EASE's fit time for one hotel of each menu size
    """

struct Hyper: Decodable {
    let factors: Int
    let regularization: Float
    let alpha: Float
    let iterations: Int
    let cgSteps: Int
    let k: Int

    enum CodingKeys: String, CodingKey {
        case factors, regularization, alpha, iterations, k
        case cgSteps = "cg_steps"
    }
}

func alsConfiguration(_ arguments: Arguments) throws -> ImplicitALS.Configuration {
    let confidence: ImplicitALS.ConfidenceMode =
        switch try arguments.string("confidence") {
        case "implicit": .implicitLibrary
        case "linear": .linear
        case let other: throw BenchError.badOption("confidence", other)
        }
    return try ImplicitALS.Configuration(
        factors: arguments.number("factors"), regularization: arguments.number("regularization"),
        alpha: arguments.number("alpha"), iterations: arguments.number("iterations"),
        cgSteps: arguments.number("cg-steps"), seed: arguments.number("seed"), threads: arguments.number("threads"),
        confidence: confidence)
}

func evaluateAll(data: DataSet, scope: Scope, k: Int) throws {
    let train = try data.matrix("train"), test = try data.matrix("test")
    var results: [String: Any] = [:]
    for (name, model) in try ScopedModel.loadAll(from: data) {
        results[name] = json(ScopedModel(model, trainedOn: train, scope: scope).evaluate(on: test, k: k))
    }
    try writeJSON(results, to: data.path("concierge-eval-\(scope.name).json"))
}

/// ALS from implicit's own initial factors, one half-step at a time, compared with the factors
/// implicit reached from the same start: the same algorithm should land on the same factors up
/// to Float rounding.
func sameStart(data: DataSet) throws {
    let hyper = try JSONDecoder().decode(
        Hyper.self, from: Data(contentsOf: URL(fileURLWithPath: data.path("hyper.json"))))
    let train = try data.matrix("train"), test = try data.matrix("test")
    let trainT = train.transposed()
    var users = try readFactors(data.path("init_user.f32"))
    var items = try readFactors(data.path("init_item.f32"))
    let solver = ImplicitALS(
        configuration: .init(
            factors: users.columns, regularization: hyper.regularization, alpha: hyper.alpha,
            cgSteps: hyper.cgSteps, threads: 1, confidence: .implicitLibrary))
    for _ in 0..<hyper.iterations {
        users = solver.leastSquares(userItems: train, itemFactors: items, initial: users)
        items = solver.leastSquares(userItems: trainT, itemFactors: users, initial: items)
    }
    let theirUsers = try readFactors(data.path("same_user.f32")),
        theirItems = try readFactors(data.path("same_item.f32"))
    func relative(_ a: DenseMatrix, _ b: DenseMatrix) -> Double {
        var difference = 0.0, norm = 0.0
        for (x, y) in zip(a.values, b.values) {
            difference += Double(x - y) * Double(x - y)
            norm += Double(y) * Double(y)
        }
        return (difference / norm).squareRoot()
    }
    let model = ALSModel(
        userFactors: users, itemFactors: items, regularization: hyper.regularization, alpha: hyper.alpha,
        confidence: .implicitLibrary)
    let metrics = try ScopedModel(.als(model), trainedOn: train, scope: Scope("catalogue", data: data))
        .evaluate(on: test, k: hyper.k)
    print(
        "same start: Concierge precision \(format(metrics.precision)), map \(format(metrics.meanAveragePrecision)), "
            + "ndcg \(format(metrics.ndcg)), auc \(format(metrics.auc)); factors differ from implicit's by "
            + "‖ΔX‖/‖X‖ = \(format(relative(users, theirUsers))), ‖ΔY‖/‖Y‖ = \(format(relative(items, theirItems)))")
}

func main() throws {
    let arguments = try Arguments(CommandLine.arguments, usage: usage)
    if arguments.command == "kernels" {
        kernels()
        return
    }
    if arguments.command == "ease-fit" {
        let sizes = try arguments.string("items").split(separator: ",").map { text in
            guard let size = Int(text), size > 0 else { throw BenchError.badOption("items", String(text)) }
            return size
        }
        easeFitTiming(sizes: sizes, threads: try arguments.number("threads", default: 2))
        return
    }
    let data = try DataSet(directory: arguments.string("data"))

    switch arguments.command {
    case "split":
        let seed: UInt64 = try arguments.number("seed", default: 42)
        let matrix = try data.matrix("interactions")
        let (train, test) = TrainTestSplit.split(
            matrix, testFraction: try arguments.number("test-fraction", default: 0.2), seed: seed)
        let (fit, validation) = TrainTestSplit.split(
            train, testFraction: try arguments.number("validation-fraction", default: 0.2), seed: seed &+ 1)
        for (matrix, name) in [(train, "train"), (test, "test"), (fit, "fit"), (validation, "validation")] {
            try data.write(matrix, as: name)
        }
        log(
            "\(data.directory): \(train.nonZeroCount) train (\(fit.nonZeroCount) fit + \(validation.nonZeroCount) "
                + "validation), \(test.nonZeroCount) test")

    case "als":
        let configuration = try alsConfiguration(arguments)
        let matrix = try data.matrix(arguments.optional("matrix") ?? "train")
        let (model, elapsed) = timed { ImplicitALS(configuration: configuration).fit(userItems: matrix) }
        if let name = arguments.optional("save") {
            try ScopedModel(.als(model), trainedOn: matrix, scope: Scope("catalogue", data: data)).save(
                as: name, in: data)
        }
        print(elapsed)

    case "cosine":
        let train = try data.matrix("train")
        let neighbours: Int = try arguments.number("neighbours"), threads: Int = try arguments.number("threads")
        let (similarity, elapsed) = timed {
            ItemSimilarity.cosine(userItems: train, neighbours: neighbours, threads: threads)
        }
        if let name = arguments.optional("save") {
            try ScopedModel(.itemItem(similarity: similarity), trainedOn: train, scope: Scope("catalogue", data: data))
                .save(as: name, in: data)
        }
        print(elapsed)

    case "select":
        try select(data: data, scope: Scope(arguments.string("scope"), data: data), options: TrainingOptions())

    case "evaluate":
        try evaluateAll(data: data, scope: Scope(arguments.string("scope"), data: data), k: 10)

    case "same-start":
        try sameStart(data: data)

    default:
        throw BenchError.usage(usage)
    }
}

do {
    try main()
} catch {
    log("\(error)")
    exit(1)
}
