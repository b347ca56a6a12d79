import ConciergeData
import ConciergeModel
import ConciergeModelFormat
import ConciergeServing
import ConciergeTestSupport
import ConciergeTraining
import Foundation

/// One generated export trained end to end (export → feature store → trainer → version folder → open, no registry),
/// served as the version trained (ALS) and as item-item and popularity versions made from its
/// artifacts, since training offers no switch to force the kind.
enum ServingFixture {
    static let options = TrainingOptions(factors: 16, iterations: 8, regularization: 0.1, alpha: 5, tune: false)

    static let trained: ModelArtifacts = {
        let folder = ScratchDirectory("serving-data")
        return withExtendedLifetime(folder) {
            train(.init(hotels: 4, guests: 1_200, seed: 7), storeAt: folder.path + "/store.sqlite")
        }
    }()

    /// Generates a sample export beside `storePath`, ingests it into a new store there and trains on it.
    static func train(_ sample: SampleExportGenerator.Configuration, storeAt storePath: String) -> ModelArtifacts {
        let folder = (storePath as NSString).deletingLastPathComponent
        let export = folder + "/orders.csv"
        _ = try! SampleExportGenerator(configuration: sample).write(to: export)
        let store = try! FeatureStore(path: storePath)
        _ = try! store.ingest(exportsAt: [export], quarantineAt: folder + "/quarantine.jsonl")
        return try! ModelTrainer(options: options).train(store.trainingData()).artifacts
    }

    static let als = recommender(trained)
    static let itemItem = recommender(trained, as: .itemItem)
    static let popular = recommender(trained, as: .popular)
    static let ease = recommender(trained, as: .ease)
    static let easeALS = recommender(trained, as: .easeALS)

    static func recommender(for kind: ModelKind) -> Recommender {
        switch kind {
        case .als: als
        case .itemItem: itemItem
        case .popular: popular
        case .ease: ease
        case .easeALS: easeALS
        }
    }

    /// The artifacts served as a version of `kind`: without factors unless ALS or EASE-ALS, with EASE's weights
    /// fitted on the history for EASE and EASE-ALS (blended with ALS's weight 1.5).
    static func recommender(_ trained: ModelArtifacts, as kind: ModelKind) -> Recommender {
        guard kind != .als else { return recommender(trained) }
        var artifacts = trained
        artifacts.kind = kind
        if kind == .easeALS {
            artifacts.hyperParameters.merge(["lambda": 100, "input": "binary", "weight": 1.5]) { $1 }
        } else {
            artifacts.userFactors = nil
            artifacts.itemFactors = nil
        }
        if kind.requiresEaseWeights {
            artifacts.easeWeights =
                EASE(
                    userItems: trained.userItems, blocks: trained.hotelItemRanges,
                    configuration: .init(lambda: 100, input: .binary), threads: 2
                ).weights
        }
        return recommender(artifacts)
    }

    static func recommender(_ artifacts: ModelArtifacts) -> Recommender {
        // Linux keeps a mapped file readable after it is unlinked, so the folder can go once the model is open.
        let folder = ScratchDirectory("serving-version")
        let model = withExtendedLifetime(folder) {
            try! ModelWriter.writeVersion(artifacts, model: "roomservice", version: 1, created: nil, to: folder.path)
            return try! LoadedModel(folder: folder.path, model: "roomservice", version: 1)
        }
        return Recommender(model: model, threads: 2)
    }
}
