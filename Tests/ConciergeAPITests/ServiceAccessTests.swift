import ConciergeAPI
import ConciergeHTTP
import ConciergeTestSupport
import Foundation
import HTTPTypes
import Testing

/// Which scope each route needs, and the failures counted in /metrics, with API keys configured.
@Suite struct ServiceAccessTests {
    @Test("every route is declared open or scoped, and only the probes are open")
    func everyRouteDeclared() throws {
        let service = try RoutedService()
        #expect(Set(service.routePaths) == Set(ConciergeService.routeAccess.keys))
        #expect(
            ConciergeService.routeAccess == [
                "/recommend": .scope("recommend"), "/similar": .scope("recommend"), "/model": .scope("model"),
                "/metrics": .scope("metrics"), "/health": .open, "/live": .open,
            ])
    }

    @Test("a recommend key reads /recommend and /similar, not /model or /metrics; /metrics counts the refusals")
    func scopesOnTheRealRoutes() throws {
        let scratch = ScratchDirectory("service-keys")
        let path = scratch.path + "/keys"
        try [
            APIKey(digest: APIKey.digest(of: "crm-token"), scopes: ["recommend"], name: "crm").line,
            APIKey(digest: APIKey.digest(of: "prometheus-token"), scopes: ["metrics"], name: "prometheus").line,
        ].joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let service = try RoutedService(
            access: HTTPAccessControl(keys: try APIKeyStore(path: path), routeAccess: ConciergeService.routeAccess))
        let user = service.model.userID(0)
        let item = service.model.itemID(0)
        let crm: HTTPFields = [.authorization: "Bearer crm-token"]
        #expect(service.get("/recommend?user=\(user)", headers: crm).status == 200)
        #expect(service.get("/similar?item=\(item)", headers: crm).status == 200)
        #expect(service.get("/model", headers: crm).status == 403)
        #expect(service.get("/metrics", headers: crm).status == 403)
        #expect(service.get("/recommend?user=\(user)").status == 401)
        #expect(service.get("/health").status == 200)
        #expect(service.get("/live").status == 200)
        let metrics = service.get("/metrics", headers: [.authorization: "Bearer prometheus-token"])
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"concierge_http_authentication_failures_total{reason="missing_scope"} 2"#))
        #expect(metrics.body.contains(#"concierge_http_authentication_failures_total{reason="missing"} 1"#))
        #expect(metrics.body.contains("concierge_http_rate_limited_total 0"))
        #expect(!metrics.body.contains("crm-token"))
    }
}
