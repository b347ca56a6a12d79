import ConciergeData
package import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTraining
import Foundation

/// A registry with one trained model, `roomservice` version 1 promoted to production, made once per test run
/// from generated data: what `concierge serve` and the API's routes serve in the tests.
package enum SampleModel {
    package struct Registry: Sendable {
        /// Held by the static `registry`, so the folder lasts as long as the test process.
        private let scratch: ScratchDirectory
        /// The registry folder, for `--registry`.
        package var directory: String { scratch.path + "/models" }
        /// The folder around it, for tests that put copies beside it.
        package var folder: String { scratch.path }

        fileprivate init(_ scratch: ScratchDirectory) { self.scratch = scratch }

        /// The production version, opened as `concierge serve` opens it.
        package func open() throws -> LoadedModel {
            try ModelRegistry(directory: directory).open(model: "roomservice", versionOrAlias: "production")
        }
    }

    package static let registry: Registry = {
        let folder = ScratchDirectory("concierge-sample-model")
        let export = folder.path + "/orders.csv"
        // 1,500 guests: enough for ALS to win the selection by a clear margin (at 800, popularity by units edges
        // it out), so the version is personal and fold-in is served, which the API's tests rely on.
        _ = try! SampleExportGenerator(configuration: .init(guests: 1_500, seed: 5)).write(to: export)
        let store = try! FeatureStore(path: folder.path + "/store.sqlite")
        _ = try! store.ingest(exportsAt: [export], quarantineAt: folder.path + "/q.jsonl") { _ in }
        let outcome = try! ModelTrainer(options: TrainingOptions(factors: 8, iterations: 5, tune: false))
            .train(try! store.trainingData())
        let registry = ModelRegistry(directory: folder.path + "/models")
        let version = try! registry.publish(model: "roomservice", artifacts: outcome.artifacts)
        try! registry.promote(model: "roomservice", version: version, alias: "production")
        return Registry(folder)
    }()
}
