import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Gives the memory of closed and idle connections back to the system. glibc's malloc keeps what is freed in
/// its arenas, so a flood of connections would leave the process at its peak size for good; `malloc_trim`
/// returns the free pages of every arena. It walks them all, so it runs from the workers' sweep, and only once
/// enough connections have let go of their memory since the last time.
final class HeapTrimmer: Sendable {
    private let freedSinceTrim = Atomic<Int>(0)

    /// About a megabyte of connection buffers and HTTP/2 sessions.
    static let connectionsWorthATrim = 64

    /// A connection closed, or freed its buffers.
    func noteFreed() {
        freedSinceTrim.add(1, ordering: .relaxed)
    }

    func trimIfWorthwhile() {
        guard freedSinceTrim.load(ordering: .relaxed) >= Self.connectionsWorthATrim,
            freedSinceTrim.exchange(0, ordering: .relaxed) >= Self.connectionsWorthATrim
        else { return }
        _ = Self.mallocTrim?(0)
    }

    /// glibc's `malloc_trim`, which the Glibc module does not import (it is declared in `malloc.h`); nil on a C
    /// library without it.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
            return nil
        #endif
    }()
}
