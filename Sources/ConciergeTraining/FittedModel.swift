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

    /// The guest's best `k` items of their hotel, leaving out what serving leaves out: what the model was trained
    /// on for them and what they got free. Held-out items are in neither, so evaluation can still find them.
    func recommend(user: Int, k: Int) -> [Int] {
        let candidates = matrix.candidates(forUser: user)
        let history = trainedOn.rowRange(user).map { Int(trainedOn.columnIndices[$0]) }
        let freeItems = matrix.freeUserItems.rowRange(user).map { Int(matrix.freeUserItems.columnIndices[$0]) }
        let recommendations =
            if let als {
                als.recommend(user: user, k: k, candidates: candidates, exclude: history + freeItems)
            } else if let itemItem {
                // Item-item leaves out the history itself; the free items are dropped from a list long enough
                // to still hold `k` without them.
                Array(
                    itemItem.recommend(user: user, userItems: trainedOn, k: k + freeItems.count, candidates: candidates)
                        .filter { !freeItems.contains($0.item) }.prefix(k))
            } else {
                popularity.recommend(block: matrix.userHotel[user], k: k, exclude: history + freeItems)
            }
        return recommendations.map(\.item)
    }

    func evaluate(on test: SparseMatrix, cutoff: Int) -> RankingMetrics {
        RankingMetrics.evaluate(k: cutoff, test: test) { recommend(user: $0, k: cutoff) }
    }
}
