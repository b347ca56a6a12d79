#if canImport(Glibc)
    import Glibc
#endif

/// Blocks signals that Dispatch signal sources will handle. Call it before any thread exists: threads
/// inherit the mask, and a blocked signal stays pending until Dispatch's signalfd reads it, instead of
/// taking its default action (ending the process) in between. Ignoring the signals instead (SIG_IGN)
/// would discard one that arrives before Dispatch has registered its source on another thread.
enum SignalMask {
    static func blockInAllThreads(_ signals: Int32...) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
