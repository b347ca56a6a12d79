import ConciergeModel
public import ConciergeModelFormat

/// Ranks one hotel's menu for a guest, by index, under the rules every answer follows: the code behind
/// `/recommend`, and behind the metrics training measures, so that a version's recorded metrics are the
/// served ones.
///
/// Everything a query needs beyond the view is computed once in `init` (ALS: `YᵀY + λI` for fold-in, and the
/// item factors in panels of eight items, which score in about half the instructions of the rows), and nothing
/// changes afterwards, so any number of threads can rank at once without locks. A query scores only the hotel's
/// contiguous block of items, in a scratch buffer where every item a rule forbids (seen, excluded, another
/// department) is set to NaN, which `TopK` never selects.
///
/// Strategies:
/// - a guest with a history in the view: the view's kind (`als`, `item-item`, `ease`, `ease-als` or `popular`);
///   `recent` items are not used, the history is;
/// - otherwise, with `recent` items of the hotel: fold-in (ALS, item-item, EASE and EASE-ALS versions; EASE's is
///   the same formula as for a history, with no solve; EASE-ALS blends the two);
/// - otherwise, and whenever item-item finds no neighbour in the hotel (or EASE no history item in it): the
///   hotel's popular items.
///
/// A guest's seen items are their history and what they got free; a guest without a history has seen their
/// `recent` items and what they got free.
public final class Ranker: Sendable {
    public let view: ModelView
    /// Present for ALS views.
    private let foldIn: ALSFoldIn?
    /// Present for ALS views: the item factors as ALS's scores read them.
    private let itemPanels: FactorPanels?
    /// What EASE's X held when it was fitted, so that a history is weighed the same way.
    private let easeInput: EASE.Input
    /// EASE-ALS: ALS's weight in the blend (hyper-parameter `weight`).
    private let blendWeight: Float
    /// Each item's department as a small integer, for `Rules.allowedDepartments`.
    private let departmentCodes: [Int32]

    /// What a request adds to the rules; its buffers need only live for the call.
    struct Rules {
        var includeSeen: Bool
        /// Item indices never to return; those outside the hotel change nothing.
        var excludedItems: UnsafeBufferPointer<Int32>
        /// Indexed by department code: whether items of the department may be returned; nil allows all.
        var allowedDepartments: UnsafeBufferPointer<Bool>?

        init(
            includeSeen: Bool = false,
            excludedItems: UnsafeBufferPointer<Int32> = UnsafeBufferPointer(start: nil, count: 0),
            allowedDepartments: UnsafeBufferPointer<Bool>? = nil
        ) {
            self.includeSeen = includeSeen
            self.excludedItems = excludedItems
            self.allowedDepartments = allowedDepartments
        }
    }

    /// `departmentCodes` gives each item's department as a small integer (needed only for the department
    /// rule). Views without `alpha` or `regularization` fold in with implicit's defaults. `threads` build the
    /// fold-in's `YᵀY` and the factor panels, the costly steps of loading a large ALS version.
    public init(view: ModelView, departmentCodes: [Int32] = [], threads: Int) {
        self.view = view
        self.departmentCodes = departmentCodes
        let parameters = view.hyperParameters
        func number(_ name: String, default value: Double) -> Double {
            if case .number(let number)? = parameters[name] { number } else { value }
        }
        if case .string(let input)? = parameters["input"], let known = EASE.Input(rawValue: input) {
            easeInput = known
        } else {
            easeInput = .binary
        }
        blendWeight = Float(number("weight", default: 1))
        if view.kind == .als || view.kind == .easeALS, let itemFactors = view.itemFactors {
            foldIn = ALSFoldIn(
                itemFactors: itemFactors, regularization: number("regularization", default: 0.01),
                alpha: Float(number("alpha", default: 1)),
                confidence: ImplicitALS.ConfidenceMode(hyperParameter: parameters["confidence"]), threads: threads)
            itemPanels = FactorPanels(rows: itemFactors.values, dimension: itemFactors.columns, threads: threads)
        } else {
            foldIn = nil
            itemPanels = nil
        }
    }

    /// Whether `user` has a history to score from (else their `recent` items stand in for one).
    @inline(__always)
    func hasHistory(_ user: Int) -> Bool { !view.userItems.rowRange(user).isEmpty }

    /// Ranks `hotel`'s items for `user` (nil: a guest the view does not know) and writes the best, best first,
    /// into `items` and `scores` (as many as they hold, fewer when fewer are eligible). `recentItems` are
    /// distinct, ascending item indices of the hotel with `recentUnits` each, used only without a history.
    func rank(
        user: Int?, hotel: Int, recentItems: UnsafeBufferPointer<Int32>, recentUnits: UnsafeBufferPointer<Float>,
        rules: Rules, items: UnsafeMutableBufferPointer<Int32>, scores: UnsafeMutableBufferPointer<Float>
    ) -> (count: Int, strategy: RecommendationStrategy) {
        let block = view.items(ofHotel: hotel)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, block.count)) { scratch in
            let blockScores = UnsafeMutableBufferPointer(rebasing: scratch[0..<block.count])
            let strategy: RecommendationStrategy
            let seen: UnsafeBufferPointer<Int32>
            if let user, hasHistory(user) {
                strategy = scoreHistory(of: user, hotel: hotel, block: block, into: blockScores)
                seen = view.userItems.columnIndices(ofRow: user)
            } else {
                strategy = scoreRecent(
                    recentItems, units: recentUnits, hotel: hotel, block: block, into: blockScores)
                seen = recentItems
            }
            if strategy == .popular { blockScores.update(repeating: 0) }
            if !rules.includeSeen {
                forbid(seen, in: block, scores: blockScores)
                if let user { forbid(view.freeItems(ofUser: user), in: block, scores: blockScores) }
            }
            forbid(rules.excludedItems, in: block, scores: blockScores)
            if let allowed = rules.allowedDepartments {
                for item in block where !allowed[Int(departmentCodes[item])] {
                    blockScores[item - block.lowerBound] = .nan
                }
            }
            let count = select(
                strategy, hotel: hotel, block: block, blockScores: blockScores, items: items, scores: scores)
            return (count, strategy)
        }
    }

    /// A guest's best `count` items of their latest hotel under the default rules: what offline evaluation asks.
    public func recommend(user: Int, count: Int) -> [Int] {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: count) { items in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: count) { scores in
                let empty = UnsafeBufferPointer<Int32>(start: nil, count: 0)
                let found = rank(
                    user: user, hotel: view.latestHotel(ofUser: user), recentItems: empty,
                    recentUnits: UnsafeBufferPointer(start: nil, count: 0), rules: Rules(), items: items, scores: scores
                ).count
                return items[0..<found].map { Int($0) }
            }
        }
    }

    // MARK: - Scoring

    private func scoreHistory(
        of user: Int, hotel: Int, block: Range<Int>, into scores: UnsafeMutableBufferPointer<Float>
    ) -> RecommendationStrategy {
        switch view.kind {
        case .als:
            guard let userFactors = view.userFactors else { return .popular }
            scoreFactors(userFactors.row(user), block: block, into: scores)
            return .als
        case .itemItem:
            let found = scoreNeighbours(
                of: view.userItems.columnIndices(ofRow: user), units: view.userItems.values(ofRow: user),
                block: block, into: scores)
            return found ? .itemItem : .popular
        case .ease:
            let found = scoreEase(
                of: view.userItems.columnIndices(ofRow: user), units: view.userItems.values(ofRow: user),
                hotel: hotel, block: block, into: scores)
            return found ? .ease : .popular
        case .easeALS:
            guard let userFactors = view.userFactors else { return .popular }
            let found = scoreEase(
                of: view.userItems.columnIndices(ofRow: user), units: view.userItems.values(ofRow: user),
                hotel: hotel, block: block, into: scores)
            guard found else {
                // Nothing of the history is on this hotel's menu: ALS alone still knows the guest.
                scoreFactors(userFactors.row(user), block: block, into: scores)
                return .als
            }
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, block.count)) { scratch in
                let alsScores = UnsafeMutableBufferPointer(rebasing: scratch[0..<block.count])
                scoreFactors(userFactors.row(user), block: block, into: alsScores)
                blend(alsScores, into: scores)
            }
            return .easeALS
        case .popular:
            return .popular
        }
    }

    /// EASE-ALS: `scores` (EASE's) becomes `e / sd(e) + weight · a / sd(a)` with ALS's scores `a`; a standard
    /// deviation over the block of zero counts as one. ALS's scores come computed rather than through a closure,
    /// which copied the ranker and cost about 1,500 instructions a request.
    private func blend(_ alsScores: UnsafeMutableBufferPointer<Float>, into scores: UnsafeMutableBufferPointer<Float>) {
        ScoringKernel.blend(scores, with: UnsafeBufferPointer(alsScores), weight: blendWeight)
    }

    private func scoreRecent(
        _ items: UnsafeBufferPointer<Int32>, units: UnsafeBufferPointer<Float>, hotel: Int, block: Range<Int>,
        into scores: UnsafeMutableBufferPointer<Float>
    ) -> RecommendationStrategy {
        guard !items.isEmpty else { return .popular }
        switch view.kind {
        case .als:
            return foldInFactors(items: items, units: units, block: block, into: scores) ? .foldIn : .popular
        case .itemItem:
            return scoreNeighbours(of: items, units: units, block: block, into: scores) ? .foldIn : .popular
        case .ease:
            return scoreEase(of: items, units: units, hotel: hotel, block: block, into: scores) ? .foldIn : .popular
        case .easeALS:
            guard scoreEase(of: items, units: units, hotel: hotel, block: block, into: scores) else { return .popular }
            // Should the solve fail, ALS's scores stay zero and the blend only rescales EASE's.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, block.count)) { scratch in
                let alsScores = UnsafeMutableBufferPointer(rebasing: scratch[0..<block.count])
                alsScores.update(repeating: 0)
                _ = foldInFactors(items: items, units: units, block: block, into: alsScores)
                blend(alsScores, into: scores)
            }
            return .foldIn
        case .popular:
            return .popular
        }
    }

    /// Solves the guest's factors from `items` and scores the block with them.
    private func foldInFactors(
        items: UnsafeBufferPointer<Int32>, units: UnsafeBufferPointer<Float>, block: Range<Int>,
        into scores: UnsafeMutableBufferPointer<Float>
    ) -> Bool {
        guard let foldIn, let itemFactors = view.itemFactors else { return false }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: foldIn.factors) { factors in
            guard foldIn.solve(items: items, units: units, itemFactors: itemFactors, into: factors) else {
                return false
            }
            scoreFactors(UnsafeBufferPointer(factors), block: block, into: scores)
            return true
        }
    }

    private func scoreFactors(
        _ query: UnsafeBufferPointer<Float>, block: Range<Int>, into scores: UnsafeMutableBufferPointer<Float>
    ) {
        itemPanels?.scores(query: query, items: block, into: scores)
    }

    /// implicit's ItemItemRecommender: `score(i) = Σⱼ unitsⱼ · sim(j, i)` over the block's items that
    /// are a neighbour of some `j`; the others stay NaN. False if no item of the block got a score.
    private func scoreNeighbours(
        of items: UnsafeBufferPointer<Int32>, units: UnsafeBufferPointer<Float>, block: Range<Int>,
        into scores: UnsafeMutableBufferPointer<Float>
    ) -> Bool {
        scores.update(repeating: .nan)
        var scoredAny = false
        let neighbours = view.itemNeighbours
        for (item, amount) in zip(items, units) {
            for (neighbour, similarity) in zip(
                neighbours.columnIndices(ofRow: Int(item)), neighbours.values(ofRow: Int(item)))
            {
                let other = Int(neighbour)
                guard block.contains(other) else { continue }
                let slot = other - block.lowerBound
                let contribution = amount * similarity
                scores[slot] = scores[slot].isNaN ? contribution : scores[slot] + contribution
                scoredAny = true
            }
        }
        return scoredAny
    }

    /// EASE: `score(j) = Σᵢ xᵢ · B[i, j]` over the guest's items i of the block, x binary or units as the
    /// version was fitted. `items` are ascending (a history's CSR row, or the distinct recent items). False, with
    /// `scores` left as they were, if none of the items is in the block.
    private func scoreEase(
        of items: UnsafeBufferPointer<Int32>, units: UnsafeBufferPointer<Float>, hotel: Int, block: Range<Int>,
        into scores: UnsafeMutableBufferPointer<Float>
    ) -> Bool {
        guard let weights = view.easeWeights(ofHotel: hotel) else { return false }
        // The items are ascending, so the hotel's are one stretch of them; a guest who only ever stayed at this
        // hotel (as most have) has all of them in it, which the last item tells without a search.
        assert(zip(items, items.dropFirst()).allSatisfy { $0 < $1 }, "items ascending")
        let first = items.firstIndex { $0 >= block.lowerBound } ?? items.count
        var end = items.count
        if let last = items.last, Int(last) >= block.upperBound {
            end = items[first...].firstIndex { $0 >= block.upperBound } ?? items.count
        }
        guard first < end else { return false }
        ScoringKernel.sumRows(
            UnsafeBufferPointer(rebasing: items[first..<end]), minus: block.lowerBound,
            weights: easeInput == .binary ? nil : UnsafeBufferPointer(rebasing: units[first..<end]), of: weights,
            columns: block.count, into: scores)
        return true
    }

    // MARK: - Rules and selection

    private func forbid(
        _ forbidden: UnsafeBufferPointer<Int32>, in block: Range<Int>, scores: UnsafeMutableBufferPointer<Float>
    ) {
        guard let base = scores.baseAddress else { return }
        for item in forbidden {
            // One unsigned compare for both ends of the block, which also makes the store's bounds check
            // redundant: about six instructions less an item.
            let slot = Int(item) &- block.lowerBound
            if UInt(bitPattern: slot) < UInt(scores.count) { base[slot] = .nan }
        }
    }

    /// The best eligible items: by score, or for popularity in the order the view stores (which already breaks
    /// ties by units, then index).
    private func select(
        _ strategy: RecommendationStrategy, hotel: Int, block: Range<Int>,
        blockScores: UnsafeMutableBufferPointer<Float>,
        items: UnsafeMutableBufferPointer<Int32>, scores: UnsafeMutableBufferPointer<Float>
    ) -> Int {
        guard strategy == .popular else {
            return TopK.select(
                scores: UnsafeBufferPointer(blockScores), k: items.count, firstIndex: block.lowerBound, indices: items,
                scores: scores)
        }
        var count = 0
        for (item, popularity) in zip(view.popularity.columnIndices(ofRow: hotel), view.popularity.values(ofRow: hotel))
        {
            guard count < items.count else { break }
            guard block.contains(Int(item)), !blockScores[Int(item) - block.lowerBound].isNaN else { continue }
            items[count] = item
            scores[count] = popularity
            count += 1
        }
        return count
    }
}
