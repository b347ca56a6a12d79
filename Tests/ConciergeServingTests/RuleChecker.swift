import ConciergeModel
import ConciergeModelFormat
import ConciergeServing
import Testing

/// Checks one answer against the request's rules by brute force over the hotel's items.
struct RuleChecker {
    let model: LoadedModel

    /// The items the rules allow, whatever their score.
    func eligible(_ request: RecommendationRequest, hotel: Int) -> [Int] {
        let excluded = Set(request.exclude.compactMap(model.itemIndex(for:)))
        let seen = request.includeSeen ? [] : seenItems(request)
        let departments = request.departments.map(Set.init)
        return model.items(ofHotel: hotel).filter { item in
            !excluded.contains(item) && !seen.contains(item)
                && (departments?.contains(model.item(item).department) ?? true)
        }
    }

    /// A known guest with paid orders: their history; anyone else: their recent items. Known guests add what
    /// they got free.
    func seenItems(_ request: RecommendationRequest) -> Set<Int> {
        let user = request.user.flatMap(model.userIndex(for:))
        let free = freeItems(ofUser: user)
        if let user, !model.userItems.rowRange(user).isEmpty {
            return free.union(model.userItems.columnIndices(ofRow: user).map { Int($0) })
        }
        return free.union(request.recent.compactMap(model.itemIndex(for:)))
    }

    func freeItems(ofUser user: Int?) -> Set<Int> {
        guard let user, let userFreeItems = model.userFreeItems else { return [] }
        return Set(userFreeItems.columnIndices(ofRow: user).map { Int($0) })
    }

    func check(_ result: RecommendationResult, for request: RecommendationRequest) {
        let user = request.user.flatMap(model.userIndex(for:))
        let hotel = request.hotel.flatMap(model.hotelIndex(for:)) ?? model.latestHotel(ofUser: user!)
        #expect(result.hotel == model.hotelID(hotel))
        #expect(result.user == request.user)
        #expect(result.ignoredExclusions == request.exclude.count { model.itemIndex(for: $0) == nil })
        #expect(result.items.count <= request.count)
        #expect(Set(result.items.map(\.index)).count == result.items.count, "no item twice")
        #expect(zip(result.items, result.items.dropFirst()).allSatisfy { $0.score >= $1.score }, "best first")

        let eligible = eligible(request, hotel: hotel)
        let allowed = Set(eligible)
        for item in result.items {
            #expect(allowed.contains(item.index), "item \(item.id) breaks a rule of \(request)")
            #expect(model.hotel(ofItem: item.index) == hotel && item.hotel == result.hotel)
            #expect(item.id == model.itemID(item.index))
            #expect(item.department == model.item(item.index).department)
        }

        if model.kind == .als && (result.strategy == .als || result.strategy == .foldIn) {
            #expect(result.items.count == min(request.count, eligible.count), "ALS scores every item")
        }
        if result.strategy == .popular {
            let ranked = model.popularity.columnIndices(ofRow: hotel).map { Int($0) }.filter(allowed.contains)
            #expect(result.items.map(\.index) == Array(ranked.prefix(request.count)))
        }
        if result.strategy == .als, let user {
            let query = model.userFactors!.row(user)
            let expected = eligible.map { dot(query, model.itemFactors!.row($0)) }.sorted(by: >)
            for (item, score) in zip(result.items, expected) {
                #expect(abs(item.score - Float(dot(query, model.itemFactors!.row(item.index)))) < 1e-4)
                #expect(abs(Double(item.score) - score) < 1e-4, "the best eligible scores, in order")
            }
        }
    }

    func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Double {
        zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
}
