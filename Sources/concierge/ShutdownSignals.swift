#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// SIGTERM or SIGINT once starts a graceful shutdown; a second one exits at once.
///
/// Call `blockInAllThreads()` first, before any thread exists: threads inherit the mask, and a blocked
/// signal stays pending until Dispatch's signalfd reads it. Ignoring the signals instead (SIG_IGN)
/// would discard one that arrives before Dispatch has registered its source on another thread.
final class ShutdownSignals {
    static func blockInAllThreads() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

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
