import HTTPTypes
import Testing

@testable import ConciergeHTTP

@Suite("HTTPRouter")
struct HTTPRouterTests {
    /// A responder that answers with `name` as its body, so a test can tell which one ran.
    private static func responder(_ name: String) -> HTTPResponder {
        { _ in HTTPServerResponse(body: Array(name.utf8)) }
    }

    private static func request(_ method: HTTPRequest.Method, _ path: String) -> HTTPServerRequest {
        HTTPServerRequest(method: method, target: path, path: path)
    }

    /// What resolving says, as text: "responder <route index> <body>", "405 <route index> <Allow>" or "404".
    private func resolve(_ router: HTTPRouter, _ method: HTTPRequest.Method, _ path: String) throws -> String {
        switch router.resolve(method: method, path: path) {
        case .responder(let index, let responder):
            let response = try responder(Self.request(method, path))
            return "responder \(index) \(String(decoding: response.body, as: UTF8.self))"
        case .methodNotAllowed(let index, let allow):
            return "405 \(index) \(allow)"
        case .notFound:
            return "404"
        }
    }

    private var router: HTTPRouter {
        var router = HTTPRouter()
        router.get("/health", use: Self.responder("health"))
        router.get("/recommend", use: Self.responder("recommend-get"))
        router.post("/recommend", use: Self.responder("recommend-post"))
        router.on(.put, "/items", use: Self.responder("items-put"))
        router.on(.delete, "/items", use: Self.responder("items-delete"))
        router.post("/events", use: Self.responder("events"))
        return router
    }

    @Test("an exact path and method find their responder")
    func exactMatch() throws {
        #expect(try resolve(router, .get, "/health") == "responder 0 health")
        #expect(try resolve(router, .get, "/recommend") == "responder 1 recommend-get")
        #expect(try resolve(router, .post, "/recommend") == "responder 1 recommend-post")
        #expect(try resolve(router, .put, "/items") == "responder 2 items-put")
        #expect(try resolve(router, .delete, "/items") == "responder 2 items-delete")
        #expect(try resolve(router, .post, "/events") == "responder 3 events")
    }

    @Test("a GET route also answers HEAD with the GET responder")
    func headFromGet() throws {
        #expect(try resolve(router, .head, "/health") == "responder 0 health")
        #expect(try resolve(router, .head, "/recommend") == "responder 1 recommend-get")
    }

    @Test("an explicit HEAD responder wins over the GET one, whichever is registered first")
    func explicitHead() throws {
        var headFirst = HTTPRouter()
        headFirst.on(.head, "/x", use: Self.responder("head"))
        headFirst.get("/x", use: Self.responder("get"))
        #expect(try resolve(headFirst, .head, "/x") == "responder 0 head")
        #expect(try resolve(headFirst, .get, "/x") == "responder 0 get")

        var getFirst = HTTPRouter()
        getFirst.get("/x", use: Self.responder("get"))
        getFirst.on(.head, "/x", use: Self.responder("head"))
        #expect(try resolve(getFirst, .head, "/x") == "responder 0 head")
        #expect(try resolve(getFirst, .get, "/x") == "responder 0 get")
    }

    @Test("a POST-only route does not answer HEAD")
    func noHeadWithoutGet() throws {
        #expect(try resolve(router, .head, "/events") == "405 3 POST")
    }

    @Test("a known path with another method is a 405 with the allowed methods sorted")
    func methodNotAllowed() throws {
        #expect(try resolve(router, .delete, "/health") == "405 0 GET, HEAD")
        #expect(try resolve(router, .put, "/recommend") == "405 1 GET, HEAD, POST")
        #expect(try resolve(router, .get, "/items") == "405 2 DELETE, PUT")
        #expect(try resolve(router, .get, "/events") == "405 3 POST")
        #expect(try resolve(router, HTTPRequest.Method("PURGE")!, "/recommend") == "405 1 GET, HEAD, POST")
    }

    @Test("Allow is sorted whatever the registration order")
    func allowSorted() throws {
        var router = HTTPRouter()
        router.post("/r", use: Self.responder("post"))
        router.on(.patch, "/r", use: Self.responder("patch"))
        router.on(.delete, "/r", use: Self.responder("delete"))
        router.get("/r", use: Self.responder("get"))
        #expect(try resolve(router, .put, "/r") == "405 0 DELETE, GET, HEAD, PATCH, POST")
    }

    @Test(
        "an unknown path is a 404, matched exactly (no prefixes, no trailing slash, case-sensitive)",
        arguments: ["/", "/nope", "/health/", "/Health", "/health/x", "/recommend?user=1", "", "health"])
    func notFound(path: String) throws {
        #expect(try resolve(router, .get, path) == "404")
    }

    @Test("routePaths lists each path once, in registration order")
    func routePaths() {
        #expect(router.routePaths == ["/health", "/recommend", "/items", "/events"])
        #expect(HTTPRouter().routePaths.isEmpty)
    }

    @Test("registering the same method again replaces the responder without a new route")
    func reRegister() throws {
        var router = HTTPRouter()
        router.post("/a", use: Self.responder("first"))
        router.get("/b", use: Self.responder("b"))
        router.post("/a", use: Self.responder("second"))
        #expect(try resolve(router, .post, "/a") == "responder 0 second")
        #expect(router.routePaths == ["/a", "/b"])
        #expect(try resolve(router, .get, "/b") == "responder 1 b")
    }

    @Test("a responder's thrown error reaches the caller")
    func throwingResponder() throws {
        var router = HTTPRouter()
        router.get("/fail") { _ in throw HTTPError.notFound("no such user", code: "unknown_user") }
        guard case .responder(_, let responder) = router.resolve(method: .get, path: "/fail") else {
            Issue.record("no responder")
            return
        }
        #expect(throws: HTTPError.notFound("no such user", code: "unknown_user")) {
            try responder(Self.request(.get, "/fail"))
        }
    }

    // MARK: Answering in process

    /// A router whose responders echo what they were given, or fail in the ways the server must map.
    private var echoRouter: HTTPRouter {
        var router = HTTPRouter()
        router.get("/echo") { request in
            var fields: HTTPFields = [.contentType: "text/plain"]
            fields[HTTPField.Name("X-Echo-Method")!] = request.method.rawValue
            fields[HTTPField.Name("X-Echo-Header")!] = request.headerFields[HTTPField.Name("X-Test")!] ?? "-"
            fields[HTTPField.Name("X-Echo-Request-Id")!] = request.requestID
            let query = request.query.items.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            return HTTPServerResponse(
                status: .accepted, headerFields: fields, body: Array("\(request.path)?\(query)".utf8))
        }
        router.post("/echo") { request in HTTPServerResponse(status: .created, body: request.body) }
        router.get("/teapot") { _ in
            throw HTTPError(
                .init(code: 418), code: "teapot", message: "short and \"stout\"", headerFields: [.retryAfter: "5"])
        }
        router.get("/broken") { _ in throw CocoaLikeError() }
        return router
    }

    private struct CocoaLikeError: Error {}

    private func respond(
        _ method: HTTPRequest.Method, _ target: String, headers: HTTPFields = [:], body: [UInt8] = []
    ) -> HTTPServerResponse {
        echoRouter.respond(
            to: HTTPRequest(method: method, scheme: nil, authority: nil, path: target, headerFields: headers),
            body: body)
    }

    @Test("respond(to:) runs the route's responder with the decoded path, query, headers and a request id")
    func respondRunsTheResponder() {
        var headers: HTTPFields = [:]
        headers[HTTPField.Name("X-Test")!] = "yes"
        headers[HTTPField.Name("X-Request-Id")!] = "booking-42"
        let response = respond(.get, "/ec%68o?a=1&b=x%20y&a=2", headers: headers)
        #expect(response.status == .accepted)
        #expect(String(decoding: response.body, as: UTF8.self) == "/echo?a=1,b=x y,a=2")
        #expect(response.headerFields[.contentType] == "text/plain")
        #expect(response.headerFields[HTTPField.Name("X-Echo-Method")!] == "GET")
        #expect(response.headerFields[HTTPField.Name("X-Echo-Header")!] == "yes")
        #expect(response.headerFields[HTTPField.Name("X-Echo-Request-Id")!] == "booking-42")

        let generated = respond(.get, "/echo").headerFields[HTTPField.Name("X-Echo-Request-Id")!]
        #expect(generated?.count == 32, "without a sane X-Request-Id the responder gets a generated one")
    }

    @Test("respond(to:) hands the body to the responder")
    func respondPassesTheBody() {
        let response = respond(.post, "/echo", body: Array(#"{"k":3}"#.utf8))
        #expect(response.status == .created)
        #expect(response.body == Array(#"{"k":3}"#.utf8))
    }

    @Test("respond(to:) answers HEAD on a GET route with the GET responder")
    func respondHeadFromGet() {
        let response = respond(.head, "/echo?x=1")
        #expect(response.status == .accepted)
        #expect(response.headerFields[HTTPField.Name("X-Echo-Method")!] == "HEAD")
    }

    @Test(
        "respond(to:) answers an unknown path with a JSON 404, another method with a JSON 405 and Allow",
        arguments: [
            (
                HTTPRequest.Method.get, "/nope?user=1", HTTPResponse.Status.notFound, nil as String?,
                #"{"error":{"code":"not_found","message":"no route for /nope"}}"#
            ),
            (
                .delete, "/echo", .methodNotAllowed, "GET, HEAD, POST",
                #"{"error":{"code":"method_not_allowed","message":"DELETE is not allowed on /echo; use GET, HEAD, POST"}}"#
            ),
        ])
    func respondRoutingErrors(
        method: HTTPRequest.Method, target: String, status: HTTPResponse.Status, allow: String?, body: String
    ) {
        let response = respond(method, target)
        #expect(response.status == status)
        #expect(response.headerFields[.contentType] == "application/json")
        #expect(response.headerFields[.allow] == allow)
        #expect(String(decoding: response.body, as: UTF8.self) == body)
    }

    @Test("respond(to:) turns a thrown HTTPError into its JSON body, status and headers")
    func respondHTTPError() {
        let response = respond(.get, "/teapot")
        #expect(response.status.code == 418)
        #expect(response.headerFields[.retryAfter] == "5")
        #expect(response.headerFields[.contentType] == "application/json")
        #expect(
            String(decoding: response.body, as: UTF8.self)
                == #"{"error":{"code":"teapot","message":"short and \"stout\""}}"#)
    }

    @Test("respond(to:) turns any other error into a JSON 500")
    func respondUnexpectedError() {
        let response = respond(.get, "/broken")
        #expect(response.status == .internalServerError)
        #expect(
            String(decoding: response.body, as: UTF8.self)
                == #"{"error":{"code":"internal_error","message":"the server failed to answer"}}"#)
    }

    @Test("respond(to:) answers a target that does not decode with a JSON 400")
    func respondBadTarget() {
        let response = respond(.get, "/echo%zz")
        #expect(response.status == .badRequest)
        #expect(String(decoding: response.body, as: UTF8.self).hasPrefix(#"{"error":{"code":"bad_request_target","#))
    }
}
