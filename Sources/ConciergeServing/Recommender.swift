import ConciergeModel
public import ConciergeModelFormat

/// Answers recommendation requests from one loaded model version: turns the request's ids into indices,
/// has the `Ranker` rank the hotel's menu under the request's rules, and names what it chose.
///
/// `recent` items of another hotel than the one recommended from are ignored rather than refused:
/// a guest who moved hotels, or a CRM sending the whole browsing session, should still get an answer.
/// They, and unknown `exclude` and `recent` ids, are counted in the result.
public final class Recommender: Sendable {
    public let model: LoadedModel
    private let ranker: Ranker
    private let departmentCodeByName: [String: Int32]

    /// `threads` build the fold-in's `YᵀY`, the one costly step of loading a large ALS version.
    public init(model: LoadedModel, threads: Int) {
        self.model = model
        var codeByName: [String: Int32] = [:]
        let departmentCodes = (0..<model.itemCount).map { item in
            let name = model.item(item).department
            if let code = codeByName[name] { return code }
            let code = Int32(codeByName.count)
            codeByName[name] = code
            return code
        }
        departmentCodeByName = codeByName
        ranker = Ranker(view: model.view, departmentCodes: departmentCodes, threads: threads)
    }

    public func recommend(_ request: RecommendationRequest) throws(RecommendationError) -> RecommendationResult {
        let ranked = try rank(request)
        let hotelID = model.hotelID(ranked.hotel)
        return RecommendationResult(
            strategy: ranked.strategy, hotel: hotelID, user: request.user,
            items: ranked.items.map { recommendedItem($0.item, score: $0.score, hotelID: hotelID) },
            ignoredExclusions: ranked.ignoredExclusions, ignoredRecent: ranked.ignoredRecent)
    }

    /// What `recommend` answers, by index: the items are not named.
    public func rank(_ request: RecommendationRequest) throws(RecommendationError) -> RankedList {
        try rank(request) { RankedList($0) }
    }

    /// Ranks as `rank(_:)` does and hands `body` the list in the buffers it was ranked into, which live for the
    /// call: nothing is allocated, and the request is not copied.
    @inlinable
    public func rank<Result>(
        _ request: borrowing RecommendationRequest, _ body: (BorrowedRankedList) -> Result
    ) throws(RecommendationError) -> Result {
        // Inlined into the caller, so that the ranking itself is compiled once, not generic over `Result`: an
        // unspecialised generic closure costs a type metadata lookup at every level.
        var result: Result?
        try lendRanking(request) { result = body($0) }
        return result!
    }

    @usableFromInline
    func lendRanking(
        _ request: borrowing RecommendationRequest, to body: (BorrowedRankedList) -> Void
    ) throws(RecommendationError) {
        let count = request.count
        guard RecommendationRequest.countRange.contains(count) else { throw .countOutOfRange(count) }
        // Not `request.user.flatMap(model.userIndex(for:))`: the method as a closure retains the model and the id.
        let user: Int? = if let id = request.user { model.userIndex(for: id) } else { nil }
        let hotel = try hotel(of: request, user: user)
        let block = model.items(ofHotel: hotel)
        // A guest with a history ignores their recent items.
        let readsRecent = if let user { !ranker.hasHistory(user) } else { true }
        let excludeCount = request.exclude.count
        let recentCount = readsRecent ? request.recent.count : 0
        // One buffer of each type holds the excluded items, the recent ones and the best: a buffer for each, in
        // nested closures that retained what they captured, cost about 200 instructions more.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: excludeCount + recentCount + count) { indices in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: recentCount + count) { floats in
                let excluded = excludedItems(
                    request.exclude, into: UnsafeMutableBufferPointer(rebasing: indices[0..<excludeCount]))
                let recentItems = UnsafeMutableBufferPointer(
                    rebasing: indices[excludeCount..<excludeCount + recentCount])
                let recentUnits = UnsafeMutableBufferPointer(rebasing: floats[0..<recentCount])
                let (distinct, ignoredRecent) =
                    readsRecent
                    ? self.recentItems(request.recent, block: block, items: recentItems, units: recentUnits)
                    : (0, request.recent.count)
                let best = UnsafeMutableBufferPointer(rebasing: indices[(excludeCount + recentCount)...])
                let bestScores = UnsafeMutableBufferPointer(rebasing: floats[recentCount...])
                func rankUnder(_ rules: Ranker.Rules) {
                    let (found, strategy) = ranker.rank(
                        user: user, hotel: hotel,
                        recentItems: UnsafeBufferPointer(rebasing: recentItems[0..<distinct]),
                        recentUnits: UnsafeBufferPointer(rebasing: recentUnits[0..<distinct]), rules: rules,
                        items: best, scores: bestScores)
                    body(
                        BorrowedRankedList(
                            strategy: strategy, hotel: hotel, items: UnsafeBufferPointer(rebasing: best[0..<found]),
                            scores: UnsafeBufferPointer(rebasing: bestScores[0..<found]),
                            ignoredExclusions: excludeCount - excluded.count, ignoredRecent: ignoredRecent))
                }
                var rules = Ranker.Rules(includeSeen: request.includeSeen, excludedItems: excluded)
                guard let departments = request.departments else { return rankUnder(rules) }
                withDepartmentMask(departments) { allowed in
                    rules.allowedDepartments = allowed
                    rankUnder(rules)
                }
            }
        }
    }

    /// The hotel to recommend from: the one asked for, else the known guest's latest, else a new guest's.
    private func hotel(of request: borrowing RecommendationRequest, user: Int?) throws(RecommendationError) -> Int {
        if let id = request.hotel {
            guard let index = model.hotelIndex(for: id) else { throw .unknownHotel(id) }
            return index
        }
        if let user { return model.latestHotel(ofUser: user) }
        // A new guest's recent orders say where they are staying.
        for id in request.recent {
            if let item = model.itemIndex(for: id) { return model.hotel(ofItem: item) }
        }
        throw .hotelRequired(user: request.user)
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

    // MARK: - From ids to indices

    /// The known items of `exclude`, as item indices, written into `excluded`.
    private func excludedItems(
        _ exclude: [String], into excluded: UnsafeMutableBufferPointer<Int32>
    ) -> UnsafeBufferPointer<Int32> {
        var count = 0
        for id in exclude {
            guard let item = model.itemIndex(for: id) else { continue }
            excluded[count] = Int32(item)
            count += 1
        }
        return UnsafeBufferPointer(rebasing: excluded[0..<count])
    }

    /// `departments` as a mask of department codes, for `Ranker.Rules.allowedDepartments` (unknown names match no
    /// item).
    private func withDepartmentMask(_ departments: [String], _ body: (UnsafeBufferPointer<Bool>) -> Void) {
        withUnsafeTemporaryAllocation(of: Bool.self, capacity: max(1, departmentCodeByName.count)) { allowed in
            allowed.initialize(repeating: false)
            for name in departments {
                if let code = departmentCodeByName[name] { allowed[Int(code)] = true }
            }
            body(UnsafeBufferPointer(allowed))
        }
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

    private func recommendedItem(_ item: Int, score: Float, hotelID: String) -> RecommendedItem {
        let metadata = model.item(item)
        return RecommendedItem(
            index: item, id: model.itemID(item), score: score, name: metadata.name, hotel: hotelID,
            department: metadata.department, price: metadata.price)
    }
}
