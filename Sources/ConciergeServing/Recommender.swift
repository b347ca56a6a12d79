import ConciergeModel
public import ConciergeModelFormat

/// Answers recommendation requests from one loaded model version.
///
/// Everything a query needs beyond the mapped files is computed once in `init` (ALS: `YᵀY + λI`
/// for fold-in; every item's department as a small integer), and nothing changes afterwards, so
/// any number of threads can call it at once without locks. A query scores only the hotel's
/// contiguous block of items, in a scratch buffer where every item a rule forbids (another
/// department, excluded, already ordered) is set to NaN, which `TopK` never selects.
///
/// Strategies:
/// - a guest the model knows, with at least one paid order: the version's kind (`als`, `item-item` or
///   `popular`); their `recent` items are not used, the model's history is;
/// - otherwise, with `recent` items of the hotel: fold-in (ALS and item-item versions);
/// - otherwise, and whenever item-item finds no neighbour in the hotel: the hotel's popular items.
///
/// A known guest's seen items are their history and what they got free (known even to a guest who got
/// nothing else, whose hotel the model also knows); a guest the model does not know has seen their `recent`
/// items.
///
/// `recent` items of another hotel than the one recommended from are ignored rather than refused:
/// a guest who moved hotels, or a CRM sending the whole browsing session, should still get an answer.
/// They, and unknown `exclude` and `recent` ids, are counted in the result.
public final class Recommender: Sendable {
    public let model: LoadedModel
    /// Present for ALS versions.
    private let foldIn: ALSFoldIn?
    private let departmentCodes: [Int32]
    private let departmentCodeByName: [String: Int32]

    /// Versions imported without `alpha` or `regularization` fold in with implicit's defaults.
    /// `threads` build the fold-in's `YᵀY`, the one costly step of loading a large ALS version.
    public init(model: LoadedModel, threads: Int) {
        self.model = model
        var codeByName: [String: Int32] = [:]
        departmentCodes = (0..<model.itemCount).map { item in
            let name = model.item(item).department
            if let code = codeByName[name] { return code }
            let code = Int32(codeByName.count)
            codeByName[name] = code
            return code
        }
        departmentCodeByName = codeByName

        let parameters = model.manifest.hyperParameters
        func number(_ name: String, default value: Double) -> Double {
            if case .number(let number)? = parameters[name] { number } else { value }
        }
        if model.kind == .als, let itemFactors = model.itemFactors {
            let confidence = ImplicitALS.ConfidenceMode(hyperParameter: parameters["confidence"])
            foldIn = ALSFoldIn(
                itemFactors: itemFactors, regularization: number("regularization", default: 0.01),
                alpha: Float(number("alpha", default: 1)), confidence: confidence, threads: threads)
        } else {
            foldIn = nil
        }
    }

    public func recommend(_ request: RecommendationRequest) throws(RecommendationError) -> RecommendationResult {
        guard RecommendationRequest.countRange.contains(request.count) else {
            throw .countOutOfRange(request.count)
        }
        let user = request.user.flatMap(model.userIndex(for:))
        let hotel: Int
        if let id = request.hotel {
            guard let index = model.hotelIndex(for: id) else { throw .unknownHotel(id) }
            hotel = index
        } else if let user {
            hotel = model.latestHotel(ofUser: user)
        } else if let firstKnown = request.recent.lazy.compactMap(model.itemIndex(for:)).first {
            // A new guest's recent orders say where they are staying.
            hotel = model.hotel(ofItem: firstKnown)
        } else {
            throw .hotelRequired(user: request.user)
        }
        let block = model.items(ofHotel: hotel)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, block.count)) { scratch in
            let scores = UnsafeMutableBufferPointer(rebasing: scratch[0..<block.count])
            if let user, !model.userItems.rowRange(user).isEmpty {
                return recommend(request, knownUser: user, hotel: hotel, block: block, scores: scores)
            }
            return recommend(request, unknownUserIn: hotel, freeItems: freeItems(ofUser: user), block: block, scores: scores)
        }
    }

    /// The neighbours of `item` within its hotel, in the order the version stores them.
    public func similarItems(to id: String, count: Int) throws(RecommendationError) -> SimilarItemsResult {
        guard RecommendationRequest.countRange.contains(count) else { throw .countOutOfRange(count) }
        guard let item = model.itemIndex(for: id) else { throw .unknownItem(id) }
        let hotel = model.hotel(ofItem: item)
        let block = model.items(ofHotel: hotel)
        let hotelID = model.hotelID(hotel)
        var items: [RecommendedItem] = []
        // Training keeps neighbours within the hotel; an imported version need not.
        for (neighbour, similarity) in zip(
            model.itemNeighbours.columnIndices(ofRow: item), model.itemNeighbours.values(ofRow: item))
        {
            guard items.count < count else { break }
            let other = Int(neighbour)
            guard other != item, block.contains(other) else { continue }
            items.append(recommendedItem(other, score: similarity, hotelID: hotelID))
        }
        return SimilarItemsResult(item: id, hotel: hotelID, items: items)
    }

    /// Runs a few queries of each strategy, so that the pages of the mapped files they touch are
    /// faulted in and the code paths are warm before the first real request.
    public func warmUp() {
        for user in 0..<min(model.userCount, 8) {
            _ = try? recommend(RecommendationRequest(user: model.userID(user)))
        }
        let hotels = (0..<model.hotelCount).filter { !model.items(ofHotel: $0).isEmpty }.prefix(4)
        for hotel in hotels {
            let hotelID = model.hotelID(hotel)
            let firstItem = model.itemID(model.items(ofHotel: hotel).lowerBound)
            _ = try? recommend(RecommendationRequest(user: nil, hotel: hotelID, recent: [firstItem]))
            _ = try? recommend(RecommendationRequest(user: nil, hotel: hotelID))
            _ = try? similarItems(to: firstItem, count: 10)
        }
    }

    // MARK: - Strategies

    private func recommend(
        _ request: RecommendationRequest, knownUser user: Int, hotel: Int, block: Range<Int>,
        scores: UnsafeMutableBufferPointer<Float>
    ) -> RecommendationResult {
        let history = model.userItems.columnIndices(ofRow: user)
        var strategy = RecommendationStrategy.popular
        switch model.kind {
        case .als:
            if let userFactors = model.userFactors {
                scoreFactors(userFactors.row(user), block: block, into: scores)
                strategy = .als
            }
        case .itemItem:
            if scoreNeighbours(of: history, units: model.userItems.values(ofRow: user), block: block, into: scores) {
                strategy = .itemItem
            }
        case .popular:
            break
        }
        return finish(
            request, strategy: strategy, hotel: hotel, block: block, scores: scores, seen: history,
            freeItems: freeItems(ofUser: user), ignoredRecent: request.recent.count)
    }

    /// A guest the model has no history for: one it does not know, or one who only got free items.
    private func recommend(
        _ request: RecommendationRequest, unknownUserIn hotel: Int, freeItems: UnsafeBufferPointer<Int32>,
        block: Range<Int>, scores: UnsafeMutableBufferPointer<Float>
    ) -> RecommendationResult {
        let capacity = max(1, request.recent.count)
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: capacity) { itemBuffer in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: capacity) { unitBuffer in
                let (distinct, ignored) = recentItems(
                    request.recent, block: block, items: itemBuffer, units: unitBuffer)
                let items = UnsafeBufferPointer(rebasing: itemBuffer[0..<distinct])
                let units = UnsafeBufferPointer(rebasing: unitBuffer[0..<distinct])
                var strategy = RecommendationStrategy.popular
                if !items.isEmpty {
                    switch model.kind {
                    case .als:
                        if foldInFactors(items: items, units: units, block: block, into: scores) { strategy = .foldIn }
                    case .itemItem:
                        if scoreNeighbours(of: items, units: units, block: block, into: scores) { strategy = .foldIn }
                    case .popular:
                        break
                    }
                }
                return finish(
                    request, strategy: strategy, hotel: hotel, block: block, scores: scores, seen: items,
                    freeItems: freeItems, ignoredRecent: ignored)
            }
        }
    }

    /// Solves the guest's factors from `items` and scores the block with them.
    private func foldInFactors(
        items: UnsafeBufferPointer<Int32>, units: UnsafeBufferPointer<Float>, block: Range<Int>,
        into scores: UnsafeMutableBufferPointer<Float>
    ) -> Bool {
        guard let foldIn, let itemFactors = model.itemFactors else { return false }
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
        guard let itemFactors = model.itemFactors, !block.isEmpty else { return }
        let columns = itemFactors.columns
        let rows = UnsafeBufferPointer(
            rebasing: itemFactors.values[(block.lowerBound * columns)..<(block.upperBound * columns)])
        ScoringKernel.scores(query: query, rows: rows, dimension: columns, into: scores)
    }

    /// implicit's ItemItemRecommender: `score(i) = Σⱼ unitsⱼ · sim(j, i)` over the block's items that
    /// are a neighbour of some `j`; the others stay NaN. False if no item of the block got a score.
    private func scoreNeighbours(
        of items: UnsafeBufferPointer<Int32>, units: UnsafeBufferPointer<Float>, block: Range<Int>,
        into scores: UnsafeMutableBufferPointer<Float>
    ) -> Bool {
        scores.update(repeating: .nan)
        var scoredAny = false
        let neighbours = model.itemNeighbours
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

    /// Writes the distinct `recent` items of the block, ascending, with how often each occurs (its
    /// units), and returns their number and how many ids were ignored.
    private func recentItems(
        _ recent: [String], block: Range<Int>, items: UnsafeMutableBufferPointer<Int32>,
        units: UnsafeMutableBufferPointer<Float>
    ) -> (distinct: Int, ignored: Int) {
        var count = 0
        var ignored = 0
        for id in recent {
            guard let item = model.itemIndex(for: id), block.contains(item) else {
                ignored += 1
                continue
            }
            items[count] = Int32(item)
            count += 1
        }
        items[0..<count].sort()
        var distinct = 0
        for position in 0..<count {
            if distinct > 0 && items[distinct - 1] == items[position] {
                units[distinct - 1] += 1
            } else {
                items[distinct] = items[position]
                units[distinct] = 1
                distinct += 1
            }
        }
        return (distinct, ignored)
    }

    // MARK: - Rules and selection

    /// What the guest got free and never paid for; empty for guests the model does not know, and in versions
    /// published before free items were kept.
    private func freeItems(ofUser user: Int?) -> UnsafeBufferPointer<Int32> {
        guard let user, let userFreeItems = model.userFreeItems else { return UnsafeBufferPointer(start: nil, count: 0) }
        return userFreeItems.columnIndices(ofRow: user)
    }

    /// Applies the rules to the block's scores (popularity starts from zeros), selects the best
    /// and builds the result.
    private func finish(
        _ request: RecommendationRequest, strategy: RecommendationStrategy, hotel: Int, block: Range<Int>,
        scores: UnsafeMutableBufferPointer<Float>, seen: UnsafeBufferPointer<Int32>,
        freeItems: UnsafeBufferPointer<Int32>, ignoredRecent: Int
    ) -> RecommendationResult {
        if strategy == .popular { scores.update(repeating: 0) }
        if !request.includeSeen {
            for item in seen where block.contains(Int(item)) { scores[Int(item) - block.lowerBound] = .nan }
            for item in freeItems where block.contains(Int(item)) { scores[Int(item) - block.lowerBound] = .nan }
        }
        var ignoredExclusions = 0
        for id in request.exclude {
            guard let item = model.itemIndex(for: id) else {
                ignoredExclusions += 1
                continue
            }
            if block.contains(item) { scores[item - block.lowerBound] = .nan }
        }
        if let departments = request.departments { mask(block, toDepartments: departments, scores: scores) }

        let hotelID = model.hotelID(hotel)
        var items: [RecommendedItem] = []
        items.reserveCapacity(request.count)
        if strategy == .popular {
            // The stored order already breaks ties (by units, then index); keep it.
            for (item, popularity) in zip(
                model.popularity.columnIndices(ofRow: hotel), model.popularity.values(ofRow: hotel))
            {
                guard items.count < request.count else { break }
                let item = Int(item)
                guard block.contains(item), !scores[item - block.lowerBound].isNaN else { continue }
                items.append(recommendedItem(item, score: popularity, hotelID: hotelID))
            }
        } else {
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: request.count) { best in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: request.count) { bestScores in
                    let found = TopK.select(
                        scores: UnsafeBufferPointer(scores), k: request.count, firstIndex: block.lowerBound,
                        indices: best, scores: bestScores)
                    for position in 0..<found {
                        items.append(recommendedItem(Int(best[position]), score: bestScores[position], hotelID: hotelID))
                    }
                }
            }
        }
        return RecommendationResult(
            strategy: strategy, hotel: hotelID, user: request.user, items: items,
            ignoredExclusions: ignoredExclusions, ignoredRecent: ignoredRecent)
    }

    /// Unknown department names match no item.
    private func mask(
        _ block: Range<Int>, toDepartments departments: [String], scores: UnsafeMutableBufferPointer<Float>
    ) {
        withUnsafeTemporaryAllocation(of: Bool.self, capacity: max(1, departmentCodeByName.count)) { allowed in
            allowed.initialize(repeating: false)
            for name in departments {
                if let code = departmentCodeByName[name] { allowed[Int(code)] = true }
            }
            departmentCodes.withUnsafeBufferPointer { codes in
                for item in block where !allowed[Int(codes[item])] { scores[item - block.lowerBound] = .nan }
            }
        }
    }

    private func recommendedItem(_ item: Int, score: Float, hotelID: String) -> RecommendedItem {
        let metadata = model.item(item)
        return RecommendedItem(
            index: item, id: model.itemID(item), score: score, name: metadata.name, hotel: hotelID,
            department: metadata.department, price: metadata.price)
    }
}
