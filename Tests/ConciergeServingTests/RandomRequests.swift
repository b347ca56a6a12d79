import ConciergeModel
import ConciergeModelFormat
import ConciergeServing

/// Seeded random requests over a model: known, unknown and absent guests, hotels given or not,
/// exclusions and recent items from the hotel, from other hotels and unknown, departments, k.
enum RandomRequests {
    static func make(_ count: Int, for model: LoadedModel, seed: UInt64) -> [RecommendationRequest] {
        var random = SplitMix64(seed: seed)
        let departments = Array(Set((0..<model.itemCount).map { model.item($0).department })).sorted()
        func randomItem(in range: Range<Int>) -> String? {
            range.isEmpty ? nil : model.itemID(Int.random(in: range, using: &random))
        }
        return (0..<count).map { serial in
            let user: String?
            let known: Int?
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                known = Int.random(in: 0..<model.userCount, using: &random)
                user = model.userID(known!)
            case 6..<8:
                known = nil
                user = "ghost-\(serial)"
            default:
                known = nil
                user = nil
            }
            let hotel: Int? =
                known != nil && Bool.random(using: &random) ? nil : Int.random(in: 0..<model.hotelCount, using: &random)
            let block = model.items(ofHotel: hotel ?? model.latestHotel(ofUser: known!))
            let everything = 0..<model.itemCount

            var exclude = (0..<Int.random(in: 0...6, using: &random)).compactMap { _ in randomItem(in: block) }
            exclude += (0..<Int.random(in: 0...2, using: &random)).compactMap { _ in randomItem(in: everything) }
            exclude += (0..<Int.random(in: 0...2, using: &random)).map { "no-such-item-\(serial)-\($0)" }
            var recent: [String] = []
            if known == nil || Int.random(in: 0..<5, using: &random) == 0 {
                recent = (0..<Int.random(in: 0...4, using: &random)).compactMap { _ in randomItem(in: block) }
                if Bool.random(using: &random), let other = randomItem(in: everything) { recent.append(other) }
                if Int.random(in: 0..<4, using: &random) == 0 { recent.append("no-such-recent-\(serial)") }
            }
            var wanted: [String]?
            if Int.random(in: 0..<10, using: &random) < 3 {
                wanted = (0..<Int.random(in: 1...2, using: &random)).map { _ in
                    departments.randomElement(using: &random)!
                }
                if Int.random(in: 0..<5, using: &random) == 0 { wanted!.append("no-such-department") }
            }
            return RecommendationRequest(
                user: user, count: Int.random(in: 1...40, using: &random), hotel: hotel.map(model.hotelID),
                exclude: exclude.shuffled(using: &random), recent: recent,
                includeSeen: Int.random(in: 0..<5, using: &random) == 0, departments: wanted)
        }
    }
}
