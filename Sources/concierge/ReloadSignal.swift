#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// SIGHUP reloads what can be reloaded without a restart: the TLS certificate and key.
///
/// Blocked in every thread first, for the reason `ShutdownSignals` gives: a blocked signal waits for
/// Dispatch's signal source instead of taking its default action (ending the process) in between.
final class ReloadSignal {
    static func blockInAllThreads() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    private let source: any DispatchSourceSignal

    init(onSignal: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "concierge.reload"))
        source.setEventHandler(handler: onSignal)
        source.resume()
    }
}
