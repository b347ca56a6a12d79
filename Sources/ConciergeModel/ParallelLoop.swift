import Dispatch
import Synchronization

/// Runs a loop body over chunks of `0..<count` on a fixed number of threads.
///
/// `DispatchQueue.concurrentPerform` alone would use every core it sees; the model is trained
/// with a configured number of threads, so that many workers are started and each takes the
/// next chunk from a shared counter until none is left (dynamic scheduling, like the
/// `prange(schedule='dynamic')` loops of implicit), which keeps both cores busy when users
/// have very different numbers of items. Which worker runs a chunk varies from run to run,
/// so bodies must make their results independent of that: each chunk writes only its own rows.
enum ParallelLoop {
    static func forEachChunk(
        count: Int, chunkSize: Int, threads: Int, _ body: (_ chunk: Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let chunkSize = max(1, chunkSize)
        let workers = min(max(1, threads), (count + chunkSize - 1) / chunkSize)
        if workers == 1 {
            var start = 0
            while start < count {
                body(start..<min(count, start + chunkSize))
                start += chunkSize
            }
            return
        }
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            // concurrentPerform wants a @Sendable closure; the body writes disjoint memory per
            // chunk (the contract above) and does not outlive this call.
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let start = next.wrappingAdd(chunkSize, ordering: .relaxed).oldValue
                    if start >= count { break }
                    body(start..<min(count, start + chunkSize))
                }
            }
        }
    }
}
