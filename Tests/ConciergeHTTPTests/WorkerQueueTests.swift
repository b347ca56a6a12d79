// Everything of a worker and its connections is touched on the worker's queue only; debug builds check it.

import HTTPTypes
import Testing

@testable import ConciergeHTTP

#if DEBUG
    @Suite("Worker: queue assertions")
    struct WorkerQueueTests {
        /// A server that is never started: its workers exist, their queues run nothing of their own.
        private static func idleServer() -> HTTPServer {
            HTTPServer(
                configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, queueCount: 1, accessLog: false),
                router: HTTPRouter(), logger: quietLogger)
        }

        @Test("a worker's entry points stop a debug build when called off its queue")
        func offQueueStops() async {
            await #expect(processExitsWith: .failure) {
                WorkerQueueTests.idleServer().workers[0].closeAll()
            }
            await #expect(processExitsWith: .failure) {
                _ = WorkerQueueTests.idleServer().workers[0].route(
                    method: .get, scheme: nil, authority: nil, target: "/", headerFields: [:], version: .http1_1,
                    body: [], requestID: "off-queue", clientAddress: { "127.0.0.1" })
            }
        }

        @Test("on its queue, the same calls run")
        func onQueueRuns() {
            let worker = Self.idleServer().workers[0]
            let status = worker.queue.sync {
                worker.closeAll()
                return worker.route(
                    method: .get, scheme: nil, authority: nil, target: "/", headerFields: [:], version: .http1_1,
                    body: [], requestID: "on-queue", clientAddress: { "127.0.0.1" }
                ).response.status
            }
            #expect(status == .notFound)
        }
    }
#endif
