import ConciergeModel

/// A candidate trained on some interactions, able to rank a guest's hotel menu the way serving will.
struct FittedModel {
    let candidate: CandidateModel
    let matrix: InteractionMatrix
    /// What the model was trained on: its items are excluded from each guest's recommendations.
    let trainedOn: SparseMatrix
    private let als: ALSModel?
    private let itemItem: ItemItemModel?
    private let popularity: Popularity

    init(
        _ candidate: CandidateModel, on trainedOn: SparseMatrix, matrix: InteractionMatrix, threads: Int,
        progress: (ImplicitALS.Iteration) -> Void = { _ in }
    ) {
        self.candidate = candidate
        self.matrix = matrix
        self.trainedOn = trainedOn
        popularity = Popularity(userItems: trainedOn, blocks: matrix.hotelItemRanges)
        switch candidate {
        case .als(let configuration):
            als = ImplicitALS(configuration: configuration).fit(userItems: trainedOn, progress: progress)
            itemItem = nil
        case .itemItem(let neighbours):
            als = nil
            itemItem = ItemItemModel(
                similarity: ItemSimilarity.cosine(
                    userItems: trainedOn, blocks: matrix.hotelItemRanges, neighbours: neighbours, threads: threads))
        case .popular:
            als = nil
            itemItem = nil
        }
    }

    var alsModel: ALSModel? { als }

    func recommend(user: Int, k: Int) -> [Int] {
        let candidates = matrix.candidates(forUser: user)
        let history = trainedOn.rowRange(user).map { Int(trainedOn.columnIndices[$0]) }
        let recommendations =
            if let als {
                als.recommend(user: user, k: k, candidates: candidates, exclude: history)
            } else if let itemItem {
                itemItem.recommend(user: user, userItems: trainedOn, k: k, candidates: candidates)
            } else {
                popularity.recommend(block: matrix.userHotel[user], k: k, exclude: history)
            }
        return recommendations.map(\.item)
    }

    func evaluate(on test: SparseMatrix, cutoff: Int) -> RankingMetrics {
        RankingMetrics.evaluate(k: cutoff, test: test) { recommend(user: $0, k: cutoff) }
    }
}
