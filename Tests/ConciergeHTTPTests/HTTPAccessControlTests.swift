import ConciergeTestSupport
import Foundation
import HTTPTypes
import Synchronization
import Testing

@testable import ConciergeHTTP

/// CORS, API keys and the rate limit as the router applies them, in process: each answer is the one a
/// socket would carry (the server only adds Date, Server, Content-Length and X-Request-Id).
@Suite("HTTPAccessControl")
struct HTTPAccessControlTests {
    static let page = "http://127.0.0.1:8000"
    static let scopes: [String: RouteAccess] = [
        "/recommend": .scope("recommend"), "/model": .scope("model"), "/health": .open,
    ]

    /// A key file holding `tokens` (name → (token, scopes)), in a scratch folder kept alive by the result.
    static func keyFile(
        _ keys: [(name: String, token: String, scopes: Set<String>)]
    ) throws -> (
        ScratchDirectory, String
    ) {
        let scratch = ScratchDirectory("access-keys")
        let path = scratch.path + "/keys"
        let lines = keys.map { APIKey(digest: APIKey.digest(of: $0.token), scopes: $0.scopes, name: $0.name).line }
        try ("# test keys\n" + lines.joined(separator: "\n") + "\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        return (scratch, path)
    }

    static func router(_ access: HTTPAccessControl?) -> HTTPRouter {
        var router = HTTPRouter()
        router.get("/recommend") { _ in .json(#"{"items":[]}"#) }
        router.post("/recommend") { _ in .json(#"{"items":[]}"#) }
        router.get("/model") { _ in .json(#"{"name":"m"}"#) }
        router.get("/health") { _ in .json(#"{"status":"ready"}"#) }
        router.accessControl = access
        return router
    }

    static func request(
        _ method: HTTPRequest.Method, _ path: String, _ fields: HTTPFields = [:]
    ) -> HTTPRequest {
        HTTPRequest(method: method, scheme: nil, authority: "concierge", path: path, headerFields: fields)
    }

    static func errorCode(_ response: HTTPServerResponse) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (object?["error"] as? [String: Any])?["code"] as? String
    }

    // MARK: CORS

    @Test("an allowed origin's preflight gets 204 with the methods, headers, max age and Vary: Origin")
    func preflight() {
        let router = Self.router(HTTPAccessControl(cors: CORSPolicy(allowedOrigins: [Self.page])))
        let response = router.respond(
            to: Self.request(
                .options, "/recommend",
                [.origin: Self.page, .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type"])
        )
        #expect(response.status == .noContent)
        #expect(response.headerFields[.accessControlAllowOrigin] == Self.page)
        #expect(response.headerFields[.accessControlAllowMethods] == "GET, POST")
        #expect(response.headerFields[.accessControlAllowHeaders] == "Content-Type, Authorization, X-Request-Id")
        #expect(response.headerFields[.accessControlMaxAge] == "600")
        #expect(response.headerFields[values: .vary] == ["Origin"])
        #expect(response.headerFields[values: .accessControlAllowOrigin].count == 1)
    }

    @Test("answers and errors to an allowed origin carry its origin and expose the request id and identity headers")
    func answersAndErrors() {
        let model = HTTPField.Name("X-Concierge-Model")!
        let router = Self.router(
            HTTPAccessControl(
                cors: CORSPolicy(allowedOrigins: [Self.page, "https://crm.example"], exposedHeaders: [model])))
        for (method, path, status) in [
            (HTTPRequest.Method.get, "/recommend", HTTPResponse.Status.ok), (.get, "/nowhere", .notFound),
            (.put, "/recommend", .methodNotAllowed),
        ] {
            let response = router.respond(to: Self.request(method, path, [.origin: Self.page]))
            #expect(response.status == status)
            #expect(response.headerFields[.accessControlAllowOrigin] == Self.page)
            #expect(response.headerFields[.accessControlExposeHeaders] == "X-Request-Id, X-Concierge-Model")
            #expect(response.headerFields[.vary] == "Origin")
        }
    }

    @Test("another origin gets no CORS headers, and its preflight is not answered")
    func otherOrigin() {
        let router = Self.router(HTTPAccessControl(cors: CORSPolicy(allowedOrigins: [Self.page])))
        for origin in ["http://127.0.0.1:8001", "http://127.0.0.1:8000/", "null", Self.page.uppercased()] {
            let preflight = router.respond(
                to: Self.request(.options, "/recommend", [.origin: origin, .accessControlRequestMethod: "POST"]))
            #expect(preflight.status == .methodNotAllowed)
            let answer = router.respond(to: Self.request(.get, "/recommend", [.origin: origin]))
            #expect(answer.status == .ok)
            for response in [preflight, answer] {
                #expect(!response.headerFields.contains { $0.name.canonicalName.hasPrefix("access-control-") })
            }
        }
    }

    @Test("without access control, OPTIONS is still 405 and no answer carries CORS headers or Vary")
    func unchangedWithoutIt() {
        let router = Self.router(nil)
        let response = router.respond(
            to: Self.request(.options, "/recommend", [.origin: Self.page, .accessControlRequestMethod: "POST"]))
        #expect(response.status == .methodNotAllowed)
        #expect(response.headerFields[.vary] == nil)
        #expect(response.headerFields[.accessControlAllowOrigin] == nil)
    }

    @Test("only exact scheme://host[:port] origins can be configured")
    func originProblems() {
        #expect(CORSPolicy.problem(with: "https://crm.example.com") == nil)
        #expect(CORSPolicy.problem(with: "http://127.0.0.1:8000") == nil)
        for bad in ["*", "https://*.example.com", "https://crm.example.com/", "crm.example.com", "ftp://x", "https://"]
        {
            #expect(CORSPolicy.problem(with: bad) != nil, "\(bad)")
        }
    }

    // MARK: API keys

    @Test("a route's scope: no key 401 with a challenge, a wrong key 401 invalid_token, a missing scope 403")
    func scopes() throws {
        let (scratch, path) = try Self.keyFile([
            ("crm", "token-crm", ["recommend"]), ("ops", "token-ops", ["model", "recommend"]),
        ])
        let access = HTTPAccessControl(keys: try APIKeyStore(path: path), routeAccess: Self.scopes)
        let router = Self.router(access)
        func answer(_ path: String, _ authorization: String?) -> HTTPServerResponse {
            router.respond(to: Self.request(.get, path, authorization.map { [.authorization: $0] } ?? [:]))
        }
        let missing = answer("/recommend", nil)
        #expect(missing.status == .unauthorized)
        #expect(missing.headerFields[.wwwAuthenticate] == #"Bearer realm="concierge""#)
        #expect(Self.errorCode(missing) == "unauthorized")
        for wrong in ["Bearer token-crmx", "Bearer ", "Basic dG9rZW4tY3Jt", "token-crm", "Bearer token-crm extra"] {
            let response = answer("/recommend", wrong)
            #expect(response.status == .unauthorized, "\(wrong)")
            #expect(response.headerFields[.wwwAuthenticate] == #"Bearer realm="concierge", error="invalid_token""#)
            #expect(Self.errorCode(response) == "invalid_token")
        }
        #expect(answer("/recommend", "Bearer token-crm").status == .ok)
        #expect(answer("/recommend", "bearer token-ops").status == .ok)
        let forbidden = answer("/model", "Bearer token-crm")
        #expect(forbidden.status == .forbidden)
        #expect(Self.errorCode(forbidden) == "insufficient_scope")
        #expect(
            forbidden.headerFields[.wwwAuthenticate]
                == #"Bearer realm="concierge", error="insufficient_scope", scope="model""#)
        #expect(answer("/model", "Bearer token-ops").status == .ok)
        #expect(answer("/health", nil).status == .ok)
        // An unknown path needs a key before it is told it does not exist.
        #expect(answer("/nowhere", nil).status == .unauthorized)
        #expect(answer("/nowhere", "Bearer token-crm").status == .notFound)
        let failures = access.snapshot().authenticationFailures
        #expect(failures[.missing] == 2)
        #expect(failures[.malformed] == 3)
        #expect(failures[.unknownKey] == 2)
        #expect(failures[.missingScope] == 1)
        withExtendedLifetime(scratch) {}
    }

    @Test("a 401 to an allowed origin carries the CORS headers, so the page can read it")
    func unauthorizedReadableByPage() throws {
        let (scratch, path) = try Self.keyFile([("crm", "token-crm", ["recommend"])])
        let router = Self.router(
            HTTPAccessControl(
                cors: CORSPolicy(allowedOrigins: [Self.page]), keys: try APIKeyStore(path: path),
                routeAccess: Self.scopes))
        let response = router.respond(to: Self.request(.post, "/recommend", [.origin: Self.page]))
        #expect(response.status == .unauthorized)
        #expect(response.headerFields[.accessControlAllowOrigin] == Self.page)
        // A preflight carries no credentials, so it is answered without them.
        let preflight = router.respond(
            to: Self.request(.options, "/recommend", [.origin: Self.page, .accessControlRequestMethod: "POST"]))
        #expect(preflight.status == .noContent)
        withExtendedLifetime(scratch) {}
    }

    // MARK: Rate limit

    @Test("past the burst, 429 with Retry-After, per key; probes are not limited")
    func rateLimitPerKey() throws {
        let (scratch, path) = try Self.keyFile([("a", "token-a", ["recommend"]), ("b", "token-b", ["recommend"])])
        let clock = TestClock()
        let access = HTTPAccessControl(
            keys: try APIKeyStore(path: path),
            rateLimiter: RateLimiter(.init(perSecond: 0.5, burst: 2), forgetThreshold: 100, now: clock.now),
            routeAccess: Self.scopes)
        let router = Self.router(access)
        func status(_ token: String) -> HTTPResponse.Status {
            router.respond(to: Self.request(.get, "/recommend", [.authorization: "Bearer \(token)"])).status
        }
        #expect(status("token-a") == .ok)
        #expect(status("token-a") == .ok)
        let limited = router.respond(to: Self.request(.get, "/recommend", [.authorization: "Bearer token-a"]))
        #expect(limited.status == .tooManyRequests)
        #expect(limited.headerFields[.retryAfter] == "2")
        #expect(Self.errorCode(limited) == "rate_limited")
        #expect(String(decoding: limited.body, as: UTF8.self).contains("the rate limit of 0.5/s requests"))
        #expect(status("token-b") == .ok)
        for _ in 0..<5 { #expect(router.respond(to: Self.request(.get, "/health")).status == .ok) }
        clock.advance(seconds: 2)
        #expect(status("token-a") == .ok)
        #expect(access.snapshot().rateLimited == 1)
        withExtendedLifetime(scratch) {}
    }

    @Test("without keys, the rate limit counts per client address")
    func rateLimitPerAddress() {
        let access = HTTPAccessControl(
            rateLimiter: RateLimiter(.init(perSecond: 1, burst: 1), forgetThreshold: 100, now: TestClock().now),
            routeAccess: Self.scopes)
        let router = Self.router(access)
        func status(_ address: String) -> HTTPResponse.Status {
            router.respond(to: Self.request(.get, "/recommend"), clientAddress: address).status
        }
        #expect(status("10.0.0.1") == .ok)
        #expect(status("10.0.0.1") == .tooManyRequests)
        #expect(status("10.0.0.2") == .ok)
    }
}

/// A monotonic clock that moves only when told, for the rate limiter.
final class TestClock: Sendable {
    private let nanoseconds = Mutex<UInt64>(1_000_000_000)

    var now: @Sendable () -> UInt64 { { [self] in nanoseconds.withLock { $0 } } }

    func advance(seconds: Double) { nanoseconds.withLock { $0 += UInt64(seconds * 1e9) } }
}
