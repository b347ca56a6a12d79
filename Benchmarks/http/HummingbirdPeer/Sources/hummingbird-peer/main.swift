// Serves GET /health like Concierge does, so load.sh can compare the two.
// Usage: hummingbird-peer [PORT]   (default 8091, always on 127.0.0.1)

import Hummingbird
import Logging

let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8091

// The body is built once: the benchmark should measure the framework, not JSON encoding.
let healthBody = ByteBuffer(string: #"{"status":"ready"}"#)

let router = Router()
router.get("health") { _, _ in
    Response(
        status: .ok,
        headers: [.contentType: "application/json"],
        body: .init(byteBuffer: healthBody)
    )
}

// Warning level keeps per-request logging out of the measurement.
var logger = Logger(label: "hummingbird-peer")
logger.logLevel = .warning

let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port)),
    logger: logger
)
try await app.runService()
