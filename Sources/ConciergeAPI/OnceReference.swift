import Synchronization

/// A reference stored at most once and read by every request. A read is one atomic load, a few instructions;
/// `AtomicLazyReference.load()`, which the standard library does not inline, takes hundreds.
final class OnceReference<Object: AnyObject & Sendable>: Sendable {
    private let stored = Atomic<Unmanaged<Object>?>(nil)

    func load() -> Object? { stored.load(ordering: .acquiring)?.takeUnretainedValue() }

    /// Calls `body` with the stored object, storing `make()` first if there is none. The object is lent without a
    /// retain: it lives as long as this reference does.
    func withObject<Result>(orStoring make: () -> Object, _ body: (Object) -> Result) -> Result {
        if let object = stored.load(ordering: .acquiring) { return object._withUnsafeGuaranteedRef(body) }
        return body(storeIfNil(make()))
    }

    /// Stores `object` unless one is stored already, and returns the one stored.
    @discardableResult
    func storeIfNil(_ object: Object) -> Object {
        let retained = Unmanaged.passRetained(object)
        let (exchanged, earlier) = stored.compareExchange(
            expected: nil, desired: retained, ordering: .acquiringAndReleasing)
        guard !exchanged, let earlier else { return object }
        retained.release()
        return earlier.takeUnretainedValue()
    }

    deinit { stored.load(ordering: .acquiring)?.release() }
}
