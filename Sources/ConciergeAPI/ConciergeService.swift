package import ConciergeHTTP
import ConciergeJSON
import ConciergeModelFormat
import ConciergeServing
import Foundation
package import HTTPTypes

/// Concierge's routes: `/recommend`, `/similar`, `/model`, `/health`, `/live`, `/metrics`. The server starts
/// before the model is loaded, so `/health` can say "loading"; the model arrives once through `install`.
package final class ConciergeService: Sendable {
    package let color: String
    package let state: ServiceState
    private let loaded = OnceReference<LoadedService>()
    private let statistics = OnceReference<HTTPServerStatistics>()
    private let accessControl = OnceReference<HTTPAccessControl>()

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
        loaded.storeIfNil(service)
        state.markReady()
    }

    /// The server's counters, exported by `/metrics`; given once the server exists.
    package func export(_ serverStatistics: HTTPServerStatistics) {
        statistics.storeIfNil(serverStatistics)
    }

    /// Authentication and rate-limit counters, exported by `/metrics`; given once, when any is configured.
    package func export(_ access: HTTPAccessControl) {
        accessControl.storeIfNil(access)
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
        router.get("/live") { _ in .json(Self.liveBody) }
        router.get("/metrics") { [self] _ in metrics() }
    }

    private static let liveBody = Array(#"{"status":"alive"}"#.utf8)

    private func service() throws(HTTPError) -> LoadedService {
        guard let service = loaded.load() else {
            throw HTTPError(.serviceUnavailable, code: "loading", message: "the model is still loading")
        }
        return service
    }

    private func recommend(_ request: borrowing RecommendationRequest) throws(HTTPError) -> HTTPServerResponse {
        let service = try service()
        // Only fold-in is timed, and only a request with recent items can be folded in.
        let started = request.recent.isEmpty ? nil : ContinuousClock.now
        do {
            return try service.recommender.rank(request) { ranked in
                service.metrics.recordRecommendation(
                    strategy: ranked.strategy, hotel: ranked.hotel, items: ranked.items.count, started: started)
                let user = request.user
                return .json(
                    JSONWriter.collect(reservingCapacity: Self.answerCapacity(items: ranked.items.count)) { json in
                        json.writeRaw(service.answerOpening[...])
                        json.writeRaw(#","user":"#)
                        json.writeString(user)
                        service.hotelMembers.write(ranked.hotel, to: &json)
                        Self.strategyMembers.write(ranked.strategy.position, to: &json)
                        json.writeRaw(#","items":"#)
                        service.itemFragments.writeList(count: ranked.items.count, to: &json) {
                            (Int(ranked.items[$0]), ranked.scores[$0])
                        }
                        json.writeRaw("}")
                    })
            }
        } catch {
            throw Self.httpError(error)
        }
    }

    /// Each strategy, in the order of `allCases`, as an answer names it: `,"strategy":…`.
    private static let strategyMembers = JSONFragments(count: RecommendationStrategy.allCases.count, capacity: 128) {
        strategy, writer in
        writer.writeRaw(#","strategy":"#)
        writer.writeString(RecommendationStrategy.allCases[strategy].rawValue)
    }

    /// Enough for an answer with `items` items of usual length, so that its bytes are allocated once.
    private static func answerCapacity(items: Int) -> Int { 256 + 192 * items }

    private func similar(_ query: QueryItems) throws(HTTPError) -> HTTPServerResponse {
        let service = try service()
        var item: String?
        var count: Int?
        try query.forEachPair { pair throws(HTTPError) in
            if pair.hasName("item") {
                item = item ?? pair.valueString
            } else if pair.hasName("k") {
                guard count == nil else { return }
                guard let parsed = pair.integerValue, RecommendationRequest.countRange.contains(parsed) else {
                    throw RecommendationQuery.invalid(
                        "k", "must be a whole number from 1 to 100, not '\(pair.valueString)'")
                }
                count = parsed
            } else {
                throw RecommendationQuery.invalid(pair.nameString, "is not a parameter of /similar; use item, k")
            }
        }
        guard let item, !item.isEmpty else {
            throw RecommendationQuery.invalid("item", "is required")
        }
        let result: SimilarItemsResult
        do {
            result = try service.recommender.similarItems(to: item, count: count ?? 10)
        } catch {
            throw Self.httpError(error)
        }
        return .json(
            JSONWriter.collect(reservingCapacity: Self.answerCapacity(items: result.items.count)) { json in
                json.writeRaw(service.answerOpening[...])
                json.writeRaw(#","item":"#)
                json.writeString(item)
                json.writeRaw(#","hotel":"#)
                json.writeString(result.hotel)
                json.writeRaw(#","items":"#)
                service.itemFragments.writeList(count: result.items.count, to: &json) {
                    (result.items[$0].index, result.items[$0].score)
                }
                json.writeRaw("}")
            })
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

    /// `GET /model`: the version's manifest in brief, keys in sorted order.
    private func modelSummary() throws(HTTPError) -> HTTPServerResponse {
        let model = try service().model
        let manifest = model.manifest
        return .json(
            JSONWriter.collect(reservingCapacity: 1024) { json in
                json.writeRaw(#"{"color":"#)
                json.writeString(color)
                json.writeRaw(#","counts":{"hotels":"#)
                json.writeInteger(model.hotelCount)
                json.writeRaw(#","interactions":"#)
                json.writeInteger(manifest.counts.interactions)
                json.writeRaw(#","items":"#)
                json.writeInteger(model.itemCount)
                json.writeRaw(#","users":"#)
                json.writeInteger(model.userCount)
                json.writeRaw("}")
                if let created = manifest.created {
                    json.writeRaw(#","created":"#)
                    json.writeString(created)
                }
                json.writeRaw(#","factors":"#)
                json.writeInteger(model.factorCount)
                json.writeRaw(#","hyper_parameters":"#)
                writeObject(manifest.hyperParameters, to: &json) { value, json in
                    switch value {
                    case .number(let number): json.writeNumber(number)
                    case .string(let text): json.writeString(text)
                    case .bool(let flag): json.writeRaw(flag ? "true" : "false")
                    }
                }
                json.writeRaw(#","kind":"#)
                json.writeString(model.kind.rawValue)
                json.writeRaw(#","metrics":"#)
                writeObject(manifest.metrics, to: &json) { value, json in json.writeNumber(value) }
                json.writeRaw(#","name":"#)
                json.writeString(model.model)
                json.writeRaw(#","version":"#)
                json.writeInteger(model.version)
                json.writeRaw("}")
            })
    }

    private func writeObject<Value>(
        _ members: [String: Value], to json: inout JSONWriter, writeValue: (Value, inout JSONWriter) -> Void
    ) {
        json.writeRaw("{")
        for (position, key) in members.keys.sorted().enumerated() {
            if position > 0 { json.writeRaw(",") }
            json.writeString(key)
            json.writeRaw(":")
            writeValue(members[key]!, &json)
        }
        json.writeRaw("}")
    }

    private func health() -> HTTPServerResponse {
        let phase = state.current
        let body = JSONWriter.collect(reservingCapacity: 256) { json in
            json.writeRaw(#"{"status":"#)
            json.writeString(phase.rawValue)
            if let service = loaded.load() {
                json.writeRaw(#","model":"#)
                json.writeString(service.model.model)
                json.writeRaw(#","version":"#)
                json.writeInteger(service.model.version)
                json.writeRaw(#","loaded_at":"#)
                json.writeString(service.loadedAtText)
            }
            json.writeRaw(#","color":"#)
            json.writeString(color)
            json.writeRaw(#","uptime_seconds":"#)
            json.writeInteger(Int(Date().timeIntervalSince(state.startedAt)))
            json.writeRaw("}")
        }
        return .json(body, status: phase == .ready ? .ok : .serviceUnavailable)
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
}
