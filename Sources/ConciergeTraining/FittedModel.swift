import ConciergeModel
import ConciergeModelFormat
import ConciergeServing

/// A candidate trained on some interactions, ranked by the serving code itself: a guest's list here is the
/// one `/recommend` would answer from a version holding this fit, so what evaluation measures is what guests get.
struct FittedModel {
    let candidate: CandidateModel
    let alsModel: ALSModel?
    private let ranker: Ranker

    let easeWeights: [Float]?
    /// What the other kinds fall back to: the popularity candidates' winner.
    let popularity: Popularity

    /// `sparkFit` is a Spark candidate's factors, which its stage fitted in one Spark job beforehand; the
    /// kinds other than popularity fall back to popularity by `fallback`.
    init(
        _ candidate: CandidateModel, on trainedOn: SparseMatrix, matrix: InteractionMatrix, threads: Int,
        sparkFit: ALSModel? = nil, fallback: Popularity.Measure = .distinctGuests,
        progress: (ImplicitALS.Iteration) -> Void = { _ in }
    ) {
        let blocks = matrix.hotelItemRanges
        var neighbours = SparseMatrix(rows: matrix.items, columns: matrix.items, entries: [])
        var easeWeights: [Float]?
        var alsModel: ALSModel?
        var measure = fallback
        switch candidate {
        case .als(let configuration):
            alsModel = ImplicitALS(configuration: configuration).fit(userItems: trainedOn, progress: progress)
        case .sparkALS:
            guard let sparkFit else { preconditionFailure("\(candidate) comes with the factors Spark fitted") }
            alsModel = sparkFit
        case .itemItem(let count):
            neighbours = ItemSimilarity.cosine(
                userItems: trainedOn, blocks: blocks, neighbours: count, threads: threads)
        case .ease(let configuration):
            easeWeights =
                EASE(userItems: trainedOn, blocks: blocks, configuration: configuration, threads: threads).weights
        case .easeALS(let ease, let als, _):
            (alsModel, easeWeights) = Self.blendParts(ease, als, on: trainedOn, blocks: blocks, threads: threads)
        case .popular(let popularityMeasure):
            measure = popularityMeasure
        }
        self.init(
            candidate, on: trainedOn, matrix: matrix, threads: threads, alsModel: alsModel, easeWeights: easeWeights,
            neighbours: neighbours, measure: measure)
    }

    /// An EASE-ALS candidate from its two parts fitted already (`blendParts`), so that blends that differ only
    /// in their weight share one fit of each.
    init(
        blend candidate: CandidateModel, parts: (als: ALSModel, easeWeights: [Float]), on trainedOn: SparseMatrix,
        matrix: InteractionMatrix, threads: Int, fallback: Popularity.Measure
    ) {
        precondition(candidate.kind == .easeALS, "\(candidate) is not a blend")
        self.init(
            candidate, on: trainedOn, matrix: matrix, threads: threads, alsModel: parts.als,
            easeWeights: parts.easeWeights,
            neighbours: SparseMatrix(rows: matrix.items, columns: matrix.items, entries: []), measure: fallback)
    }

    /// The two fits an EASE-ALS candidate blends.
    static func blendParts(
        _ ease: EASE.Configuration, _ als: ImplicitALS.Configuration, on trainedOn: SparseMatrix, blocks: [Range<Int>],
        threads: Int
    ) -> (als: ALSModel, easeWeights: [Float]) {
        (
            ImplicitALS(configuration: als).fit(userItems: trainedOn),
            EASE(userItems: trainedOn, blocks: blocks, configuration: ease, threads: threads).weights
        )
    }

    private init(
        _ candidate: CandidateModel, on trainedOn: SparseMatrix, matrix: InteractionMatrix, threads: Int,
        alsModel: ALSModel?, easeWeights: [Float]?, neighbours: SparseMatrix, measure: Popularity.Measure
    ) {
        self.candidate = candidate
        self.alsModel = alsModel
        self.easeWeights = easeWeights
        let blocks = matrix.hotelItemRanges
        popularity = Popularity(userItems: trainedOn, blocks: blocks, measure: measure)
        let view = ModelView(
            kind: candidate.kind, hyperParameters: candidate.hyperParameters, hotelItemRanges: blocks,
            userHotel: matrix.userHotel, userFactors: alsModel?.userFactors, itemFactors: alsModel?.itemFactors,
            userItems: trainedOn, userFreeItems: matrix.freeUserItems.prefix(rows: trainedOn.rows),
            itemNeighbours: neighbours, popularity: popularity.scores, easeWeights: easeWeights)
        ranker = Ranker(view: view, threads: threads)
    }

    /// The guest's best `count` items of their hotel, as served.
    func recommend(user: Int, count: Int) -> [Int] { ranker.recommend(user: user, count: count) }

    /// Held-out items are neither in what the model was trained on nor among the free items, so the seen rule
    /// leaves them findable.
    func evaluate(on test: SparseMatrix, cutoff: Int) -> RankingMetrics {
        RankingMetrics.evaluate(k: cutoff, test: test) { recommend(user: $0, count: cutoff) }
    }

    /// `evaluate` for each hotel of `matrix`, in hotel order: the guests whose latest stay is there, against their
    /// held-out items of its menu, with its menu as the catalogue that coverage counts over. Serving recommends
    /// from the guest's hotel only, so the items they were held out elsewhere could never be found there.
    func evaluateByHotel(on test: SparseMatrix, cutoff: Int, matrix: InteractionMatrix) -> [RankingMetrics] {
        matrix.hotelItemRanges.enumerated().map { hotel, menu in
            let guests = (0..<test.rows).filter { matrix.userHotel[$0] == hotel }
            var entries: [SparseMatrix.Entry] = []
            for (row, guest) in guests.enumerated() {
                for index in test.rowRange(guest) where menu.contains(Int(test.columnIndices[index])) {
                    entries.append(
                        .init(
                            row: row, column: Int(test.columnIndices[index]) - menu.lowerBound,
                            value: test.values[index]))
                }
            }
            let hotelTest = SparseMatrix(rows: guests.count, columns: menu.count, entries: entries)
            return RankingMetrics.evaluate(k: cutoff, test: hotelTest) { row in
                recommend(user: guests[row], count: cutoff).map { $0 - menu.lowerBound }
            }
        }
    }
}
