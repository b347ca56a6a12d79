import Synchronization

/// The server's current `TLSContext`. New handshakes use whichever is current; `reload()` reads the files
/// again and swaps it, so a renewed certificate is served without a restart and without touching open
/// connections, which keep the context they were made with.
final class ReloadableTLSContext: Sendable {
    let configuration: HTTPServerConfiguration.TLS
    /// Nil until the first `reload()`, which `HTTPServer.start()` makes before it accepts anything.
    private let context = Mutex<TLSContext?>(nil)

    init(configuration: HTTPServerConfiguration.TLS) {
        self.configuration = configuration
    }

    var current: TLSContext {
        guard let current = context.withLock({ $0 }) else {
            preconditionFailure("HTTPServer.start() loads the TLS context before it accepts a connection")
        }
        return current
    }

    /// Loads the files into a new context; on failure the current one stays.
    func reload() throws(TLSContext.Failure) {
        let fresh = try TLSContext(configuration)
        context.withLock { $0 = fresh }
    }
}
