import ArgumentParser
import ConciergeData
import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTraining
import Foundation

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model from the feature store and publish it as a new registry version.",
        discussion: """
            Builds the guest × item matrix from COMPLETE orders of paid items (strength = units), holds out a share \
            of each guest's items to measure the result, and cuts validation splits from the rest. Unless --no-tune, \
            it compares ALS over a small grid of factors, regularization and alpha, EASE over λ and its input, \
            item-item cosine and per-hotel popularity on the first validation cut, measures the leaders again on \
            more cuts (--validation-cuts) and picks the best mean MAP@K. It makes that choice twice: on cuts of the \
            rest, refitted there and measured on the holdout (the figures that estimate the procedure and gate \
            promotion), and on cuts of all data, refitted on all data and published with every candidate's metrics; \
            the run says so when the two choices differ. With --engine spark, Spark MLlib's implicit ALS \
            fits the ALS grid and the winner's refits (spark/train_als.py through spark-submit: \
            CONCIERGE_SPARK_SUBMIT, else spark-submit on PATH; Java 17), on the same splits; Concierge evaluates \
            its factors like native ones.
            """)

    @Option(help: "The feature store written by `concierge ingest`.")
    var store: String

    @Option(help: "The registry folder; created on the first publish.")
    var registry = "models"

    @Option(help: "Model name in the registry.")
    var model = "roomservice"

    @Option(help: "ALS latent factors (the starting point of the search).")
    var factors = 64

    @Option(help: "ALS iterations.")
    var iterations = 15

    @Option(help: "ALS L2 regularization (the starting point of the search).")
    var regularization: Float = 0.01

    @Option(help: "ALS confidence weight: confidence = 1 + alpha × units (the starting point of the search).")
    var alpha: Float = 1

    @Option(help: "Seed for the splits and the factor initialisation; the same seed and data give the same model.")
    var seed: UInt64 = 42

    @Option(help: "Share of each guest's items held out to measure the published model (0 to 0.5).")
    var holdout = 0.2

    @Option(help: "Validation cuts the leading candidates are compared on (1: one cut, as every candidate is).")
    var validationCuts = 3

    @Option(help: "Neighbours kept per item for item-item scoring and /similar.")
    var neighbours = 50

    @Option(help: "Threads for training.")
    var threads = 2

    @Flag(inversion: .prefixedNo, help: "Search the grid and compare with item-item and popularity.")
    var tune = true

    @Option(help: "What fits ALS: native (in process) or spark (Spark MLlib, through spark-submit).")
    var engine = Engine.native

    @Option(help: "With --engine spark: spark-submit's --master.")
    var sparkMaster = "local[*]"

    @Option(
        help: """
            With --engine spark: the PySpark job, spark/train_als.py of the Concierge repository. Default: found \
            from the binary, in the repository it was built in or in ../share/concierge beside an installed one.
            """)
    var sparkJob: String?

    enum Engine: String, ExpressibleByArgument, CaseIterable {
        case native, spark
    }

    @Flag(help: "Promote the new version to `production` only if its MAP@10 is within --tolerance of production's.")
    var promoteIfBetter = false

    @Option(help: "How much lower than production's MAP@10 the new version's may be and still be promoted.")
    var tolerance = 0.005

    @Option(help: ArgumentHelp("Also write the new version's page, as `registry report` does.", valueName: "file.html"))
    var report: String?

    func validate() throws {
        guard factors > 0, iterations > 0 else { throw ValidationError("--factors and --iterations must be positive") }
        guard regularization >= 0, alpha > 0 else {
            throw ValidationError("--regularization must be ≥ 0 and --alpha > 0")
        }
        guard holdout > 0, holdout <= 0.5 else { throw ValidationError("--holdout must be in (0, 0.5]") }
        guard validationCuts > 0 else { throw ValidationError("--validation-cuts must be positive") }
        guard neighbours > 0, threads > 0 else { throw ValidationError("--neighbours and --threads must be positive") }
        guard tolerance >= 0 else { throw ValidationError("--tolerance must be ≥ 0") }
    }

    func run() throws {
        let sparkScript = engine == .spark ? try sparkJob ?? Self.sparkJobBesideThisBinary() : ""
        guard FileManager.default.fileExists(atPath: store) else {
            throw CommandFailure("\(store): no such feature store (run `concierge ingest` first)")
        }
        let trainingEngine: TrainingEngine =
            switch engine {
            case .native: .native
            case .spark:
                .spark(
                    try SparkJob(
                        master: sparkMaster, script: sparkScript, environment: ProcessInfo.processInfo.environment))
            }
        let data = try FeatureStore(path: store, access: .readOnly).trainingData()
        print(
            "training data: \(data.guests.count) guests, \(data.items.count) paid items, \(data.interactions.count) order lines"
        )

        let trainer = ModelTrainer(
            options: TrainingOptions(
                factors: factors, iterations: iterations, regularization: regularization, alpha: alpha, seed: seed,
                holdout: holdout, validationCuts: validationCuts, tune: tune, neighbours: neighbours, threads: threads,
                engine: trainingEngine))
        let view = TrainingProgressView()
        let started = ContinuousClock.now
        let outcome = try trainer.train(data) { view.show($0) }
        print("chosen: \(outcome.chosen) in \(ContinuousClock.now - started)")
        if outcome.holdoutChoice != outcome.chosen {
            print(
                "holdout measured \(outcome.holdoutChoice), the procedure's choice on the training part; "
                    + "served \(outcome.chosen), its choice on all data")
        }
        print("holdout (precision@10, MAP@10, NDCG@10, AUC, coverage):")
        for (candidate, metrics) in outcome.holdout {
            print(
                "  \(candidate): "
                    + [metrics.precision, metrics.meanAveragePrecision, metrics.ndcg, metrics.auc, metrics.coverage]
                    .map { String(format: "%.4f", $0) }.joined(separator: "  "))
        }

        let registry = ModelRegistry(directory: self.registry)
        let version: Int
        if promoteIfBetter {
            let (published, decision, production) = try registry.publish(
                model: model, artifacts: outcome.artifacts, promotingBy: PromotionPolicy(tolerance: tolerance))
            version = published
            print("published \(model) version \(version) in \(self.registry)")
            print(describe(decision, version: version, production: production))
        } else {
            version = try registry.publish(model: model, artifacts: outcome.artifacts)
            print("published \(model) version \(version) in \(self.registry)")
        }
        if let report {
            try ReportPage.write(registry: registry, model: model, versionOrAlias: String(version), to: report)
        }
    }

    private func describe(_ decision: PromotionPolicy.Decision, version: Int, production: Int?) -> String {
        let current = "production version \(production ?? 0)"
        switch decision {
        case .promoteFirst(let metric, let candidate):
            return "promoted version \(version) to production: there was no production version "
                + "(\(metric.label) \(format(candidate)))"
        case .promote(let metric, let candidate, let productionValue):
            return "promoted version \(version) to production: "
                + comparison(metric, candidate, productionValue, current)
        case .keep(let metric, let candidate, let productionValue):
            return "kept production at version \(production ?? 0): "
                + comparison(metric, candidate, productionValue, current)
        case .keepIncomparable(let metric, let candidate):
            return "kept production at version \(production ?? 0): it has no \(metric.label) to compare with "
                + "version \(version)'s \(format(candidate)); promote by hand after checking both"
        }
    }

    private func comparison(
        _ metric: ModelMetric, _ candidate: Double, _ production: Double, _ current: String
    ) -> String {
        "\(metric.label) \(format(candidate)) vs \(current)'s \(format(production)), tolerance \(format(tolerance))"
    }

    private func format(_ value: Double) -> String { String(format: "%.4f", value) }

    /// --spark-job's default, from where this binary is rather than the current folder.
    private static func sparkJobBesideThisBinary() throws -> String {
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        guard let script = SparkJob.script(besideExecutable: executable) else {
            throw CommandFailure(
                "no spark/train_als.py near \(executable) (in a parent folder, or in ../share/concierge): "
                    + "pass --spark-job with its path in the Concierge repository")
        }
        return script
    }
}
