import ConciergeAPI
import ConciergeHTTP
import ConciergeModelFormat
import ConciergeServing
import ConciergeTestSupport
import Foundation
import HTTPTypes

/// `ConciergeService` on the sample model, wired to a router as `concierge serve` wires it, and asked in process
/// through `HTTPRouter.respond(to:)`: every route without a socket. The server's own headers (`Date`, `Server`,
/// `X-Request-Id`, the identity headers) are not there; ServiceEndToEndTests checks those over a real port.
struct RoutedService {
    let model: LoadedModel
    private let router: HTTPRouter

    /// `access`: CORS, API keys and the rate limit, wired as `serve` wires them when they are configured.
    init(color: String = "blue", access: HTTPAccessControl? = nil) throws {
        model = try SampleModel.registry.open()
        let service = ConciergeService(color: color, state: ServiceState())
        service.install(
            LoadedService(
                model: model, recommender: Recommender(model: model, threads: 2), color: color, loadedAt: Date(),
                loadSeconds: 0))
        var router = HTTPRouter()
        service.register(on: &router)
        if let access {
            router.accessControl = access
            service.export(access)
        }
        self.router = router
    }

    var routePaths: [String] { router.routePaths }

    func get(_ target: String, headers: HTTPFields = [:]) -> Curl.Answer {
        answer(HTTPRequest(method: .get, scheme: "http", authority: "127.0.0.1", path: target, headerFields: headers))
    }

    func post(_ target: String, json: String) -> Curl.Answer {
        answer(
            HTTPRequest(
                method: .post, scheme: "http", authority: "127.0.0.1", path: target,
                headerFields: [.contentType: "application/json"]),
            body: Array(json.utf8))
    }

    func request(_ method: HTTPRequest.Method, _ target: String) -> Curl.Answer {
        answer(HTTPRequest(method: method, scheme: "http", authority: "127.0.0.1", path: target))
    }

    private func answer(_ request: HTTPRequest, body: [UInt8] = []) -> Curl.Answer {
        let response = router.respond(to: request, body: body)
        var headers: [String: String] = [:]
        for field in response.headerFields { headers[field.name.canonicalName] = field.value }
        return Curl.Answer(
            status: response.status.code, headers: headers, body: String(decoding: response.body, as: UTF8.self))
    }
}
