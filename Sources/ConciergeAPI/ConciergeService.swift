package import ConciergeHTTP
import ConciergeModelFormat
import ConciergeServing
import Foundation
package import HTTPTypes
import Synchronization

/// Concierge's routes: `/recommend`, `/similar`, `/model`, `/health`, `/live`, `/metrics`. The server starts
/// before the model is loaded, so `/health` can say "loading"; the model arrives once through `install`.
package final class ConciergeService: Sendable {
    package let color: String
    package let state: ServiceState
    private let loaded = AtomicLazyReference<LoadedService>()
    private let statistics = AtomicLazyReference<HTTPServerStatistics>()
    private let accessControl = AtomicLazyReference<HTTPAccessControl>()

    package init(color: String, state: ServiceState) {
        self.color = color
        self.state = state
    }

    /// The headers every response carries, so nginx logs and the deploy script see who answered.
    package static func identityHeaders(model: String, version: Int, color: String) -> HTTPFields {
        [identityHeaderNames[0]: "\(model)/\(version)", identityHeaderNames[1]: color]
    }

    /// `X-Concierge-Model` and `X-Concierge-Color`, which pages on other origins may read too (CORS).
    package static let identityHeaderNames = [
        HTTPField.Name("X-Concierge-Model")!, HTTPField.Name("X-Concierge-Color")!,
    ]

    package func install(_ service: LoadedService) {
        _ = loaded.storeIfNil(service)
        state.markReady()
    }

    /// The server's counters, exported by `/metrics`; given once the server exists.
    package func export(_ serverStatistics: HTTPServerStatistics) {
        _ = statistics.storeIfNil(serverStatistics)
    }

    /// Authentication and rate-limit counters, exported by `/metrics`; given once, when any is configured.
    package func export(_ access: HTTPAccessControl) {
        _ = accessControl.storeIfNil(access)
    }

    /// The API key scope each route of `register(on:)` needs, when keys are configured; probes stay open.
    package static let routeAccess: [String: RouteAccess] = [
        "/recommend": APIScope.recommend.access, "/similar": APIScope.recommend.access,
        "/model": APIScope.model.access, "/metrics": APIScope.metrics.access, "/health": .open, "/live": .open,
    ]

    package func register(on router: inout HTTPRouter) {
        router.get("/recommend") { [self] request in
            try recommend(RecommendationQuery.fromQuery(request.query))
        }
        router.post("/recommend") { [self] request in
            try recommend(RecommendationQuery.fromJSON(request.body))
        }
        router.get("/similar") { [self] request in try similar(request.query) }
        router.get("/model") { [self] _ in try modelSummary() }
        router.get("/health") { [self] _ in health() }
        router.get("/live") { _ in .json(#"{"status":"alive"}"#) }
        router.get("/metrics") { [self] _ in metrics() }
    }

    private func service() throws(HTTPError) -> LoadedService {
        guard let service = loaded.load() else {
            throw HTTPError(.serviceUnavailable, code: "loading", message: "the model is still loading")
        }
        return service
    }

    private func recommend(_ request: RecommendationRequest) throws(HTTPError) -> HTTPServerResponse {
        let service = try service()
        let started = ContinuousClock.now
        let result: RecommendationResult
        do {
            result = try service.recommender.recommend(request)
        } catch {
            throw Self.httpError(error)
        }
        service.metrics.recordRecommendation(
            strategy: result.strategy.rawValue, hotel: result.hotel, items: result.items.count,
            duration: ContinuousClock.now - started)
        var json = "{"
        appendModel(service, to: &json)
        json += #","color":"#
        JSONString.append(color, to: &json)
        json += #","user":"#
        appendOptional(request.user, to: &json)
        json += #","hotel":"#
        JSONString.append(result.hotel, to: &json)
        json += #","strategy":"#
        JSONString.append(result.strategy.rawValue, to: &json)
        json += #","items":"#
        appendItems(result.items, to: &json)
        json += "}"
        return .json(json)
    }

    private func similar(_ query: QueryItems) throws(HTTPError) -> HTTPServerResponse {
        let service = try service()
        for item in query where item.name != "item" && item.name != "k" {
            throw RecommendationQuery.invalid(item.name, "is not a parameter of /similar; use item, k")
        }
        guard let item = query["item"], !item.isEmpty else {
            throw RecommendationQuery.invalid("item", "is required")
        }
        var count = 10
        if let k = query["k"] {
            guard let parsed = Int(k), RecommendationRequest.countRange.contains(parsed) else {
                throw RecommendationQuery.invalid("k", "must be a whole number from 1 to 100, not '\(k)'")
            }
            count = parsed
        }
        let result: SimilarItemsResult
        do {
            result = try service.recommender.similarItems(to: item, count: count)
        } catch {
            throw Self.httpError(error)
        }
        var json = "{"
        appendModel(service, to: &json)
        json += #","color":"#
        JSONString.append(color, to: &json)
        json += #","item":"#
        JSONString.append(item, to: &json)
        json += #","hotel":"#
        JSONString.append(result.hotel, to: &json)
        json += #","items":"#
        appendItems(result.items, to: &json)
        json += "}"
        return .json(json)
    }

    /// The recommender names fields as the model sees them; the API's `k` is the recommender's `count`.
    private static func httpError(_ error: RecommendationError) -> HTTPError {
        switch error {
        case .unknownItem: HTTPError.notFound(error.message, code: "unknown_item")
        case .countOutOfRange: RecommendationQuery.invalid("k", "must be from 1 to 100")
        case .unknownHotel: HTTPError.badRequest(error.message, code: "unknown_hotel")
        case .hotelRequired: HTTPError.badRequest(error.message, code: "hotel_required")
        }
    }

    private func modelSummary() throws(HTTPError) -> HTTPServerResponse {
        let service = try service()
        let model = service.model
        let summary = ModelSummary(
            name: model.model, version: model.version, kind: model.kind.rawValue, created: model.manifest.created,
            hyperParameters: model.manifest.hyperParameters, metrics: model.manifest.metrics,
            counts: .init(
                users: model.userCount, items: model.itemCount, hotels: model.hotelCount,
                interactions: model.manifest.counts.interactions),
            factors: model.factorCount, color: color)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let body = try? encoder.encode(summary) else {
            throw HTTPError(
                .internalServerError, code: "internal_error", message: "the model summary could not be encoded")
        }
        return .json(Array(body))
    }

    private func health() -> HTTPServerResponse {
        let phase = state.current
        var json = #"{"status":"#
        JSONString.append(phase.rawValue, to: &json)
        if let service = loaded.load() {
            json += #","model":"#
            JSONString.append(service.model.model, to: &json)
            json += #","version":\#(service.model.version)"#
            json += #","loaded_at":"#
            JSONString.append(service.loadedAtText, to: &json)
        }
        json += #","color":"#
        JSONString.append(color, to: &json)
        json += #","uptime_seconds":\#(Int(Date().timeIntervalSince(state.startedAt)))}"#
        return .json(json, status: phase == .ready ? .ok : .serviceUnavailable)
    }

    private func metrics() -> HTTPServerResponse {
        var text = PrometheusText()
        text.append(state.current)
        if let statistics = statistics.load() { text.append(statistics.snapshot()) }
        if let access = accessControl.load() { text.append(access.snapshot()) }
        text.append(ProcessMetrics.read())
        var body = Array(text.output.utf8)
        loaded.load()?.metrics.registry.emit(into: &body)
        return HTTPServerResponse(
            status: .ok, headerFields: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: body)
    }

    private func appendModel(_ service: LoadedService, to json: inout String) {
        json += #""model":{"name":"#
        JSONString.append(service.model.model, to: &json)
        json += #","version":\#(service.model.version)}"#
    }

    private func appendOptional(_ value: String?, to json: inout String) {
        if let value { JSONString.append(value, to: &json) } else { json += "null" }
    }

    private func appendItems(_ items: [RecommendedItem], to json: inout String) {
        json += "["
        for (position, item) in items.enumerated() {
            if position > 0 { json += "," }
            json += #"{"id":"#
            JSONString.append(item.id, to: &json)
            json += #","name":"#
            JSONString.append(item.name, to: &json)
            json += #","score":\#(item.score.isFinite ? item.score : 0),"hotel":"#
            JSONString.append(item.hotel, to: &json)
            json += #","department":"#
            JSONString.append(item.department, to: &json)
            json += #","price":\#(PrometheusText.format(item.price))}"#
        }
        json += "]"
    }
}

/// `GET /model`'s answer.
struct ModelSummary: Encodable {
    struct Counts: Encodable {
        var users: Int
        var items: Int
        var hotels: Int
        var interactions: Int
    }

    var name: String
    var version: Int
    var kind: String
    var created: String?
    var hyperParameters: [String: HyperParameter]
    var metrics: [String: Double]
    var counts: Counts
    var factors: Int
    var color: String

    enum CodingKeys: String, CodingKey {
        case name, version, kind, created, metrics, counts, factors, color
        case hyperParameters = "hyper_parameters"
    }
}
