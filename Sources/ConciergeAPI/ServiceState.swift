package import Foundation
import Synchronization

/// Whether this instance should get traffic: loading until the model is ready, draining from the first
/// shutdown signal. `/health` answers from it; load balancers and the deploy script read `/health`.
package final class ServiceState: Sendable {
    package enum Phase: String, Sendable {
        case loading
        case ready
        case draining
    }

    private let phase = Mutex(Phase.loading)
    package let startedAt = Date()

    package init() {}

    package var current: Phase { phase.withLock { $0 } }

    package func markReady() { phase.withLock { if $0 == .loading { $0 = .ready } } }

    package func beginDraining() { phase.withLock { $0 = .draining } }
}
