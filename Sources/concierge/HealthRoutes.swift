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

    func register(on router: inout HTTPRouter) {
        router.get("/health") { [lifecycle] _ in
            lifecycle.isDraining
                ? .json(#"{"status":"draining"}"#, status: .serviceUnavailable)
                : .json(#"{"status":"ready"}"#)
        }
        router.get("/live") { _ in .json(#"{"status":"alive"}"#) }
    }
}
