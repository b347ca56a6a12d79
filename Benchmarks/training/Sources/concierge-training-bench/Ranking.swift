// Ranking a guest's items the way the product serves them, within a scope, and scoring the
// rankings with RankingMetrics.
import ConciergeModel
import Foundation

/// Which items a guest's recommendations may come from.
struct Scope {
    /// `catalogue`: every item (implicit.evaluation's protocol); `hotel`: the guest's hotel's menu
    /// (how Concierge serves, and how its model selection measures).
    let name: String
    /// One contiguous item range per hotel (one range for the whole catalogue).
    let blocks: [Range<Int>]
    /// Each guest's block.
    let userBlock: [Int]

    static let names = ["catalogue", "hotel"]

    private struct Hotels: Decodable {
        let blocks: [[Int]]
        let userHotel: [Int]

        enum CodingKeys: String, CodingKey {
            case blocks
            case userHotel = "user_hotel"
        }
    }

    init(_ name: String, data: DataSet) throws {
        self.name = name
        switch name {
        case "catalogue":
            blocks = [0..<data.items]
            userBlock = [Int](repeating: 0, count: data.users)
        case "hotel":
            let path = data.path("hotels.json")
            let hotels = try JSONDecoder().decode(Hotels.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard hotels.blocks.allSatisfy({ $0.count == 2 }), hotels.userHotel.count == data.users
            else { throw BenchError.badFile(path) }
            blocks = hotels.blocks.map { $0[0]..<$0[1] }
            userBlock = hotels.userHotel
        default:
            throw BenchError.badOption("scope", name)
        }
    }

    func candidates(forUser user: Int) -> Range<Int> { blocks[userBlock[user]] }
}

/// A trained model that ranks a guest's candidates, leaving out what it was trained on:
/// the benchmark's copy of ConciergeTraining's FittedModel.
struct Ranker {
    enum Model {
        case als(ALSModel)
        case itemItem(ItemItemModel)
        case popular
    }

    let model: Model
    let trainedOn: SparseMatrix
    let scope: Scope
    private let popularity: Popularity

    init(_ model: Model, trainedOn: SparseMatrix, scope: Scope) {
        self.model = model
        self.trainedOn = trainedOn
        self.scope = scope
        popularity = Popularity(userItems: trainedOn, blocks: scope.blocks)
    }

    func recommend(user: Int, k: Int) -> [Int] {
        let candidates = scope.candidates(forUser: user)
        let recommendations =
            switch model {
            case .als(let als):
                als.recommend(user: user, k: k, candidates: candidates, exclude: history(trainedOn, user))
            case .itemItem(let itemItem):
                itemItem.recommend(user: user, userItems: trainedOn, k: k, candidates: candidates)
            case .popular:
                popularity.recommend(block: scope.userBlock[user], k: k, exclude: history(trainedOn, user))
            }
        return recommendations.map(\.item)
    }

    func evaluate(on test: SparseMatrix, k: Int) -> RankingMetrics {
        RankingMetrics.evaluate(k: k, test: test) { recommend(user: $0, k: k) }
    }

    /// Writes the model to `models/NAME.*` for the Python half to score with implicit.evaluation.
    func save(as name: String, in data: DataSet) throws {
        let path = data.modelPath(name)
        try FileManager.default.createDirectory(atPath: data.modelDirectory, withIntermediateDirectories: true)
        switch model {
        case .als(let als):
            try writeFactors(als.userFactors, to: path + ".user.f32")
            try writeFactors(als.itemFactors, to: path + ".item.f32")
        case .itemItem(let itemItem):
            try writeTriples(itemItem.similarity, to: path + ".similarity.csv")
        case .popular:
            try Data().write(to: URL(fileURLWithPath: path + ".popularity"))
        }
    }

    /// Every model in `models/`, by name.
    static func loadAll(from data: DataSet) throws -> [(name: String, model: Model)] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: data.modelDirectory)) ?? []
        var models: [(name: String, model: Model)] = []
        for file in files.sorted() {
            let path = data.modelDirectory + "/" + file
            if file.hasSuffix(".user.f32") {
                let name = String(file.dropLast(".user.f32".count))
                // Only the factors matter for ranking; regularization, alpha and confidence are for folding in.
                let als = try ALSModel(
                    userFactors: readFactors(path), itemFactors: readFactors(data.modelPath(name) + ".item.f32"),
                    regularization: 0, alpha: 1, confidence: .linear)
                models.append((name, .als(als)))
            } else if file.hasSuffix(".similarity.csv") {
                let similarity = try readTriples(path, rows: data.items, columns: data.items)
                models.append((String(file.dropLast(".similarity.csv".count)), .itemItem(ItemItemModel(similarity: similarity))))
            } else if file.hasSuffix(".popularity") {
                models.append((String(file.dropLast(".popularity".count)), .popular))
            }
        }
        return models
    }
}
