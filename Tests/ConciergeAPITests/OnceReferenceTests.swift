import Foundation
import Synchronization
import Testing

@testable import ConciergeAPI

/// The loaded version and each recommendation counter are read through a `OnceReference`.
@Suite struct OnceReferenceTests {
    final class Box: Sendable {
        let value: Int

        init(_ value: Int) { self.value = value }
    }

    @Test("the first object stored stays; a later one is answered with the first and not kept")
    func firstStoreWins() {
        let reference = OnceReference<Box>()
        #expect(reference.load() == nil)
        let first = Box(1)
        #expect(reference.storeIfNil(first) === first)
        weak var refused: Box?
        do {
            let later = Box(2)
            refused = later
            #expect(reference.storeIfNil(later) === first)
        }
        #expect(refused == nil)
        #expect(reference.load() === first)
    }

    @Test("threads storing at once all get the same object back")
    func concurrentStoresAgree() {
        let reference = OnceReference<Box>()
        let winners = Mutex(Set<Int>())
        DispatchQueue.concurrentPerform(iterations: 64) { attempt in
            let stored = reference.storeIfNil(Box(attempt))
            winners.withLock { _ = $0.insert(stored.value) }
        }
        #expect(winners.withLock { $0 } == [reference.load()!.value])
    }

    @Test("the stored object lives as long as the reference")
    func storedObjectGoesWithTheReference() {
        weak var stored: Box?
        do {
            let reference = OnceReference<Box>()
            let box = Box(1)
            stored = box
            reference.storeIfNil(box)
            #expect(stored != nil)
        }
        #expect(stored == nil)
    }
}
