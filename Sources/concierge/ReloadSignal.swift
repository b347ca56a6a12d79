import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// SIGHUP reloads what can be reloaded without a restart: the TLS certificate and key. It must be
/// blocked first (`SignalMask`).
final class ReloadSignal {
    private let source: any DispatchSourceSignal

    init(onSignal: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "concierge.reload"))
        source.setEventHandler(handler: onSignal)
        source.resume()
    }
}
