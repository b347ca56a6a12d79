import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTestSupport
import Foundation
import Synchronization
import Testing

private final class Outcomes: Sendable {
    let versions = Mutex<[Int]>([])
    let errors = Mutex<[String]>([])
}

@Suite struct ConcurrentPublishTests {
    @Test func publisherThreadsNeverShareAVersionNumber() throws {
        let scratch = ScratchDirectory()
        let registry = scratch.registry
        let artifacts = sampleArtifacts()
        let outcomes = Outcomes()
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            let thread = Thread {
                for _ in 0..<3 {
                    do {
                        let version = try registry.publish(model: "roomservice", artifacts: artifacts)
                        outcomes.versions.withLock { $0.append(version) }
                    } catch {
                        outcomes.errors.withLock { $0.append("\(error)") }
                    }
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        #expect(outcomes.errors.withLock { $0 } == [])
        #expect(outcomes.versions.withLock { $0.sorted() } == Array(1...12))
        #expect(try registry.list().map(\.version) == Array(1...12))
        #expect(try registry.verify().isClean)
    }
}
