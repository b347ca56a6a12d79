import CEpoll

#if canImport(Glibc)
    import ConciergeSystem
    import Glibc
#endif

/// One worker's epoll set: every socket of the worker is in it, level-triggered, and the set's own descriptor
/// is the worker's one Dispatch read source. A wake-up then costs Dispatch's bookkeeping once for all the sockets
/// that became ready together, where a Dispatch source per socket paid it (an `ioctl(FIONREAD)`, two `epoll_ctl`
/// and a hand-over between threads) for each of them.
///
/// Hand-written because Dispatch has no batch of sources, and SwiftNIO's event loop would replace Dispatch's
/// queues and timers, which the server is built on, rather than sit under them.
final class EpollSet {
    /// What a socket waits for. Only what the connection can act on now: a level-triggered socket that is
    /// readable and not read would wake the worker without end.
    struct Interest: OptionSet, Equatable {
        let rawValue: UInt32
        static let readable = Interest(rawValue: EPOLLIN.rawValue)
        static let writable = Interest(rawValue: EPOLLOUT.rawValue)
    }

    /// What one wake-up reports for a socket.
    struct Readiness: OptionSet {
        let rawValue: UInt32
        static let readable = Readiness(rawValue: EPOLLIN.rawValue)
        static let writable = Readiness(rawValue: EPOLLOUT.rawValue)
        /// Reset or hung up: reported whatever the interest, even none.
        static let failed = Readiness(rawValue: EPOLLERR.rawValue | EPOLLHUP.rawValue)
    }

    let fd: Int32
    private let events: UnsafeMutablePointer<epoll_event>

    /// Sockets handled per wake-up. More are left ready in the set, which stays readable, so Dispatch wakes the
    /// worker again after its other work (timers, new connections) has had a turn.
    static let batchCapacity = 128

    init() throws(SystemCall.Failure) {
        fd = try SystemCall.retryingInterrupts("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        events = .allocate(capacity: Self.batchCapacity)
        events.initialize(repeating: epoll_event(), count: Self.batchCapacity)
    }

    deinit {
        events.deallocate()
        SystemCall.close(fd)
    }

    func add(_ socket: Int32, interest: Interest) throws(SystemCall.Failure) {
        try control(EPOLL_CTL_ADD, socket, interest)
    }

    func modify(_ socket: Int32, interest: Interest) throws(SystemCall.Failure) {
        try control(EPOLL_CTL_MOD, socket, interest)
    }

    /// Before the socket is closed: a descriptor shared with another process would otherwise stay in the set.
    func remove(_ socket: Int32) {
        _ = try? control(EPOLL_CTL_DEL, socket, [])
    }

    private func control(_ operation: Int32, _ socket: Int32, _ interest: Interest) throws(SystemCall.Failure) {
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.fd = socket
        _ = try SystemCall.retryingInterrupts("epoll_ctl") { epoll_ctl(fd, operation, socket, &event) }
    }

    /// Takes the sockets ready now, without waiting, and hands each to `body`.
    func forEachReady(_ body: (_ socket: Int32, _ readiness: Readiness) -> Void) {
        let count = epoll_wait(fd, events, Int32(Self.batchCapacity), 0)
        guard count > 0 else { return }
        for index in 0..<Int(count) {
            let event = events[index]
            body(event.data.fd, Readiness(rawValue: event.events))
        }
    }
}
