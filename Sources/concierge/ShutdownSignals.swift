import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// SIGTERM or SIGINT once starts a graceful shutdown; a second one exits at once. Both must be blocked
/// first (`SignalMask`).
final class ShutdownSignals {
    private let sources: [any DispatchSourceSignal]

    init(onFirst: @escaping @Sendable (String) -> Void) {
        let queue = DispatchQueue(label: "concierge.signals")
        let received = SignalCount()
        sources = [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")].map { number, name in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if received.increment() == 1 {
                    onFirst(name)
                } else {
                    _exit(128 + number)
                }
            }
            source.resume()
            return source
        }
    }
}

/// Touched only on the signal queue.
private final class SignalCount: @unchecked Sendable {
    private var count = 0
    func increment() -> Int {
        count += 1
        return count
    }
}
