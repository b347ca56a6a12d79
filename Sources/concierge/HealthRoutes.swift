import ConciergeHTTP
import Synchronization

/// Whether this instance should receive traffic. Draining starts with the first shutdown signal.
final class ServiceLifecycle: Sendable {
    private let draining = Atomic<Bool>(false)

    var isDraining: Bool { draining.load(ordering: .relaxed) }

    func beginDraining() { draining.store(true, ordering: .relaxed) }
}

/// `/health` for load balancers, `/live` for process supervisors.
struct HealthRoutes {
    let lifecycle: ServiceLifecycle

    private static let ready = HTTPServerResponse.json(#"{"status":"ready"}"#)
    private static let draining = HTTPServerResponse.json(#"{"status":"draining"}"#, status: .serviceUnavailable)
    private static let alive = HTTPServerResponse.json(#"{"status":"alive"}"#)

    func register(on router: inout HTTPRouter) {
        router.get("/health") { [lifecycle] _ in lifecycle.isDraining ? Self.draining : Self.ready }
        router.get("/live") { _ in Self.alive }
    }
}
