import ConciergeJSON
package import ConciergeModelFormat
package import ConciergeServing
package import Foundation

/// A model version ready to answer: the mapped files, the recommender built on them, and their metrics.
package final class LoadedService: Sendable {
    package let model: LoadedModel
    package let recommender: Recommender
    package let loadedAt: Date
    /// `loadedAt` as `/health` shows it, formatted once rather than per probe.
    let loadedAtText: String
    package let loadSeconds: Double
    let metrics: ServiceMetrics
    let itemFragments: ItemJSONFragments
    /// How every answer of this version and colour begins: `{"model":{"name":…,"version":…},"color":…`.
    let answerOpening: [UInt8]
    /// Hotel `h` as an answer names it: `,"hotel":…`.
    let hotelMembers: JSONFragments

    package init(model: LoadedModel, recommender: Recommender, color: String, loadedAt: Date, loadSeconds: Double) {
        self.model = model
        self.recommender = recommender
        self.loadedAt = loadedAt
        loadedAtText = ISO8601DateFormatter().string(from: loadedAt)
        self.loadSeconds = loadSeconds
        metrics = ServiceMetrics(
            model: model.model, version: model.version, kind: model.kind.rawValue, color: color,
            hotels: (0..<model.hotelCount).map(model.hotelID), loadSeconds: loadSeconds,
            loadedAt: loadedAt.timeIntervalSince1970,
            createdAt: model.manifest.created.flatMap { ISO8601DateFormatter().date(from: $0)?.timeIntervalSince1970 })
        itemFragments = ItemJSONFragments(model: model)
        var opening = JSONWriter()
        opening.writeRaw(#"{"model":{"name":"#)
        opening.writeString(model.model)
        opening.writeRaw(#","version":"#)
        opening.writeInteger(model.version)
        opening.writeRaw(#"},"color":"#)
        opening.writeString(color)
        answerOpening = opening.bytes
        hotelMembers = JSONFragments(count: model.hotelCount, capacity: model.hotelCount * 24) { hotel, writer in
            writer.writeRaw(#","hotel":"#)
            writer.writeString(model.hotelID(hotel))
        }
    }
}
