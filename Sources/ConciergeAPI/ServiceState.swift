public import Foundation
import Synchronization

/// Whether this instance should get traffic: loading until the model is ready, draining from the first
/// shutdown signal. `/health` answers from it; load balancers and the deploy script read `/health`.
public final class ServiceState: Sendable {
    public enum Phase: String, Sendable {
        case loading
        case ready
        case draining
    }

    private let phase = Mutex(Phase.loading)
    public let startedAt = Date()

    public init() {}

    public var current: Phase { phase.withLock { $0 } }

    public func markReady() { phase.withLock { if $0 == .loading { $0 = .ready } } }

    public func beginDraining() { phase.withLock { $0 = .draining } }
}
