// Ranking a guest's items with the product's own ranking code, within a scope, and scoring the
// rankings with RankingMetrics.
import ConciergeModel
import ConciergeModelFormat
import ConciergeServing
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
    /// What each guest got free, never recommended back to them, as Concierge serves: the hotel scope only (the
    /// catalogue scope is implicit.evaluation's protocol, which knows nothing of it).
    let freeItems: SparseMatrix?

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
            freeItems = nil
        case "hotel":
            let path = data.path("hotels.json")
            let hotels = try JSONDecoder().decode(Hotels.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard hotels.blocks.allSatisfy({ $0.count == 2 }), hotels.userHotel.count == data.users
            else { throw BenchError.badFile(path) }
            blocks = hotels.blocks.map { $0[0]..<$0[1] }
            userBlock = hotels.userHotel
            freeItems = try data.freeItems()
        default:
            throw BenchError.badOption("scope", name)
        }
    }

    func candidates(forUser user: Int) -> Range<Int> { blocks[userBlock[user]] }
}

/// A trained model ranked by ConciergeServing's `Ranker` within a scope, as a served version of it would be:
/// what the guest was trained on left out, item-item falling back to popularity where it finds nothing.
struct ScopedModel {
    enum Model {
        case als(ALSModel)
        case itemItem(similarity: SparseMatrix)
        /// EASE's B as one items × items matrix, zero between items of different blocks of the scope it was fitted
        /// in, so that it ranks in any scope.
        case ease(weights: DenseMatrix, input: EASE.Input)
        case popular(Popularity.Measure)
    }

    let model: Model
    private let ranker: Ranker

    init(_ model: Model, trainedOn: SparseMatrix, scope: Scope) {
        self.model = model
        var kind = ModelKind.popular
        var factors: ALSModel?
        var neighbours: SparseMatrix?
        var easeWeights: [Float]?
        var hyperParameters: [String: HyperParameter] = [:]
        var measure = Popularity.Measure.distinctGuests
        switch model {
        case .als(let als): (kind, factors) = (.als, als)
        case .itemItem(let similarity): (kind, neighbours) = (.itemItem, similarity)
        case .ease(let weights, let input):
            kind = .ease
            hyperParameters["input"] = .string(input.rawValue)
            easeWeights = scope.blocks.flatMap { block in
                block.flatMap { row in
                    weights.values[
                        (row * weights.columns + block.lowerBound)..<(row * weights.columns + block.upperBound)]
                }
            }
        case .popular(let popularity): measure = popularity
        }
        let view = ModelView(
            kind: kind, hyperParameters: hyperParameters, hotelItemRanges: scope.blocks, userHotel: scope.userBlock,
            userFactors: factors?.userFactors, itemFactors: factors?.itemFactors, userItems: trainedOn,
            userFreeItems: scope.freeItems,
            itemNeighbours: neighbours
                ?? SparseMatrix(rows: trainedOn.columns, columns: trainedOn.columns, entries: []),
            popularity: Popularity(userItems: trainedOn, blocks: scope.blocks, measure: measure).scores,
            easeWeights: easeWeights)
        ranker = Ranker(view: view, threads: 1)
    }

    func recommend(user: Int, k: Int) -> [Int] { ranker.recommend(user: user, count: k) }

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
        case .itemItem(let similarity):
            try writeTriples(similarity, to: path + ".similarity.csv")
        case .ease(let weights, let input):
            try writeFactors(weights, to: path + ".ease-\(input.rawValue).f32")
        case .popular(let measure):
            try Data(measure.name.utf8).write(to: URL(fileURLWithPath: path + ".popularity"))
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
                models.append((String(file.dropLast(".similarity.csv".count)), .itemItem(similarity: similarity)))
            } else if let input = EASE.Input.allCases.first(where: { file.hasSuffix(".ease-\($0.rawValue).f32") }) {
                let name = String(file.dropLast(".ease-\(input.rawValue).f32".count))
                models.append((name, .ease(weights: try readFactors(path), input: input)))
            } else if file.hasSuffix(".popularity") {
                let measure =
                    try String(contentsOfFile: path, encoding: .utf8) == Popularity.Measure.totalUnits.name
                    ? Popularity.Measure.totalUnits : .distinctGuests
                models.append((String(file.dropLast(".popularity".count)), .popular(measure)))
            }
        }
        return models
    }
}
